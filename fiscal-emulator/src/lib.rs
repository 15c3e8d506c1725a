//! An emulator of ATOL's Web Server for a fiscal register (54-FZ), for the till's tests,
//! its demo and its docs: the HTTP JSON task API (`/api/v2/requests`), the driver's
//! checks ([`rules`]), a register's state kept in a file ([`device`]) and faults on
//! demand through `/control/*`. No real register is needed to run or test the till; the
//! client the till uses is the one it would use against the real web server.

pub mod checker;
pub mod device;
pub mod http;
pub mod rules;
