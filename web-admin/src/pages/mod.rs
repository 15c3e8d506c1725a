//! One module per page of the admin.

pub mod audit;
pub mod catalog;
pub mod certificates;
pub mod customers;
pub mod dashboard;
pub mod devices;
pub mod login;
pub mod marking;
pub mod people;
pub mod promotions;
pub mod quarantine;
pub mod reports;
pub mod stock;
