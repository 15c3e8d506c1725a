//! Command-line grammar of `pos-till`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The Al Aroma till from the command line: every till operation, scriptable.
#[derive(Debug, Parser)]
#[command(name = "pos-till", version, about)]
pub struct Cli {
    /// Directory holding the till database (default: $ALAROMA_DATA_DIR, the provisioning file's data_dir, or ~/.local/share/alaroma-pos).
    #[arg(long, global = true, env = "ALAROMA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print results as JSON for machines.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new till database.
    Init {
        /// Load the demo catalog, demo cashiers and stock, and log in the demo cashier.
        #[arg(long)]
        demo: bool,
        /// Store name printed on receipts.
        #[arg(long, default_value = "Al Aroma")]
        store: String,
        /// Receipt language: ru or en.
        #[arg(long, default_value = "ru")]
        lang: String,
    },
    /// Log in with a PIN (read from standard input when --pin is not given).
    Login {
        #[arg(long)]
        pin: Option<String>,
    },
    /// Log out.
    Logout,
    /// Show the logged-in cashier, shift, sale in progress and events waiting to sync.
    Status,
    /// Till users: list, or add one (the first user of a till needs no login).
    #[command(subcommand)]
    Cashier(CashierCmd),
    /// Till settings: receipt language, store name, printer, idle lock, scanner keys.
    Settings(SettingsArgs),
    /// Catalog lookup and import.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Open or close the shift.
    #[command(subcommand)]
    Shift(ShiftCmd),
    /// Put cash into or take cash out of the drawer.
    #[command(subcommand)]
    Cash(CashCmd),
    /// The sale in progress.
    #[command(subcommand)]
    Sale(SaleCmd),
    /// Return goods against a sale receipt.
    Return(ReturnArgs),
    /// Print (again) a receipt by number.
    Receipt {
        receipt_no: u64,
        /// Also write ESC/POS printer bytes (CP866) to this file or device.
        #[arg(long)]
        escpos: Option<PathBuf>,
    },
    /// Shift reports.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Stock on this till.
    #[command(subcommand)]
    Stock(StockCmd),
    /// Events waiting to be sent to head office.
    Outbox,
    /// Customers (discount cards): find by phone or card, or register one.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// A gift certificate's balance and status.
    Certificate { code: String },
    /// The fiscal register (54-FZ): connect it, see its health, settle what waits.
    #[command(subcommand)]
    Register(RegisterCmd),
    /// Marked goods (Честный ЗНАК): groups and the code checkers.
    #[command(subcommand)]
    Marking(MarkingCmd),
    /// Enroll this till with head office using a one-time code.
    Enroll {
        /// Head office address, e.g. https://pos.example.ru
        #[arg(long)]
        server: String,
        /// The enrollment code from head office.
        #[arg(long)]
        code: String,
        /// Allow a plain-http head office that is not this machine (its secret crosses
        /// the network in clear): only on a network you trust.
        #[arg(long)]
        insecure_http: bool,
    },
    /// Create a till and enroll it in one step (nothing is left behind if enrollment fails).
    Provision {
        /// Head office address, e.g. https://pos.example.ru
        #[arg(long)]
        server: String,
        /// The enrollment code from head office.
        #[arg(long)]
        code: String,
        /// Allow a plain-http head office that is not this machine (its secret crosses
        /// the network in clear): only on a network you trust.
        #[arg(long)]
        insecure_http: bool,
    },
    /// Before an upgrade: would a version that sends only event schema N and newer strand
    /// unsent events? Exit code 7 when it would. Reads the database without changing it.
    UpgradeCheck {
        /// The oldest event schema the new version sends.
        #[arg(long, default_value_t = shared_model::events::MIN_EVENT_SCHEMA_VERSION)]
        oldest_schema: u16,
    },
    /// One sync round: push waiting events, pull head-office changes.
    Sync {
        /// Keep syncing in the foreground (backoff on failures, instant on notifications).
        #[arg(long)]
        watch: bool,
    },
    /// Check integrity, whole sales, gapless numbers and the receipt hash chain.
    Verify,
    /// Interactive mode: type the same commands without `pos-till`.
    Shell,
}

#[derive(Debug, Subcommand)]
pub enum RegisterCmd {
    /// Connect the till to its register's web server (`http://127.0.0.1:16732`), or
    /// `none` for a demo till or a store head office marks non-fiscal.
    Set {
        url: String,
        /// How long one call may take before its answer counts as lost (ms).
        #[arg(long)]
        timeout_ms: Option<u64>,
        /// The store's taxation system: osn, usn_income, usn_income_outcome, patent, esn.
        #[arg(long)]
        taxation: Option<String>,
    },
    /// The register's status, warnings and what stops sales.
    Status,
    /// Sends what awaits its fiscal receipt (after paper is loaded, say).
    Retry,
    /// The open shift's figures beside the register's counters.
    Compare,
    /// A manager declares the register out of order: sales go on, and each gets a
    /// correction receipt once it is repaired.
    Outage {
        /// Why (what is broken, who was called).
        #[arg(long)]
        reason: String,
    },
    /// A manager says the register is repaired: correction receipts are made now.
    Restored,
}

#[derive(Debug, Subcommand)]
pub enum MarkingCmd {
    /// The marking groups head office set, with their dates.
    Groups,
    /// Where codes are checked before sale: the certified module (Честный ЗНАК online)
    /// and the local module (ЛМ ЧЗ); `none` removes one.
    Checkers {
        /// The certified module's address.
        #[arg(long)]
        online: Option<String>,
        /// The local module's address (usually http://127.0.0.1:5995).
        #[arg(long)]
        local: Option<String>,
        /// How long each may take before the next is asked (ms).
        #[arg(long)]
        timeout_ms: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCmd {
    /// Search by name words, SKU prefix or barcode.
    Search {
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Show one product by barcode or SKU.
    Show { code: String },
    /// Import products from a catalog file (head office's export format; docs/catalog-file.md).
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ShiftCmd {
    /// Open a shift with the cash float in the drawer.
    Open {
        #[arg(long)]
        float: String,
    },
    /// Close the shift with the counted cash; prints the Z report.
    Close {
        #[arg(long)]
        counted: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CashCmd {
    /// Cash into the drawer.
    In {
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// Cash out of the drawer.
    Out {
        amount: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SaleCmd {
    /// Add goods by barcode or SKU.
    Add {
        code: String,
        /// Quantity (up to 3 decimals for goods sold by ml or gram).
        #[arg(long, allow_hyphen_values = true)]
        qty: Option<String>,
    },
    /// Show the sale in progress.
    Show,
    /// Change a line's quantity.
    Qty {
        line: usize,
        #[arg(allow_hyphen_values = true)]
        qty: String,
    },
    /// Remove a line.
    Remove { line: usize },
    /// Discount a line (--line) or the whole sale, by percent or amount; --clear removes it.
    Discount(DiscountArgs),
    /// Apply a coupon code the customer presented.
    Coupon { code: String },
    /// Put a customer on the sale by phone or discount card number.
    Customer { phone_or_card: String },
    /// Send the receipt to the customer's e-mail or phone too ("" to print only).
    ReceiptTo { contact: String },
    /// Sell (activate) a gift certificate head office issued.
    SellCertificate {
        code: String,
        /// The face value printed on it, when head office cannot be asked (offline).
        #[arg(long)]
        nominal: Option<String>,
    },
    /// Take a payment: cash, card (--approval) or certificate (--code).
    Pay {
        tender: String,
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// Approval code from the card terminal (required for card).
        #[arg(long)]
        approval: Option<String>,
        /// Gift certificate code (required for certificate).
        #[arg(long)]
        code: Option<String>,
    },
    /// Remove all payments taken.
    Unpay,
    /// Complete the paid sale and print the receipt.
    Complete,
    /// Park the sale to serve someone else.
    Park {
        #[arg(long)]
        note: Option<String>,
    },
    /// List parked sales.
    Parked,
    /// Resume a parked sale by id (or id prefix).
    Resume { id: String },
    /// Void the sale in progress.
    Void {
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CustomerCmd {
    /// Find a customer by phone or discount card number.
    Find { phone_or_card: String },
    /// Register a customer (a phone or a card number is required).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        card: Option<String>,
        /// Customer group (managers only: groups carry discounts).
        #[arg(long)]
        group: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DiscountArgs {
    /// Line number; without it the discount applies to the whole sale.
    #[arg(long)]
    pub line: Option<usize>,
    #[arg(long, conflicts_with_all = ["amount", "clear"])]
    pub percent: Option<String>,
    #[arg(long, conflicts_with = "clear")]
    pub amount: Option<String>,
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Refund {
    /// Cash from the drawer.
    Cash,
    /// Back to the original tenders (cards first).
    Original,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    /// Receipt number of the sale.
    pub receipt_no: u64,
    /// Line to return (repeatable); without any, the whole receipt.
    #[arg(long)]
    pub line: Vec<u32>,
    /// Quantity for each --line, in order; without any, each line's whole remainder.
    #[arg(long)]
    pub qty: Vec<String>,
    /// A marked unit's code, scanned from the pack (repeatable): returns the line that sold it.
    #[arg(long)]
    pub mark: Vec<String>,
    #[arg(long, value_enum)]
    pub refund: Refund,
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The X report of the open shift.
    X,
}

#[derive(Debug, Subcommand)]
pub enum StockCmd {
    /// Stock of a product.
    Show { code: String },
    /// Adjust stock with a reason (positive adds, negative removes).
    Adjust {
        code: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CashierCmd {
    /// List the till's users.
    List,
    /// Add a user; the PIN (4–8 digits) is read from standard input when --pin is not given.
    Add {
        #[arg(long)]
        name: String,
        /// admin, manager, cashier, salesperson or warehouse_worker.
        #[arg(long)]
        role: String,
        #[arg(long)]
        pin: Option<String>,
    },
}

/// What `settings` may change (each optional; nothing given: just show them).
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Receipt language: ru or en.
    #[arg(long)]
    pub lang: Option<String>,
    /// Store name printed on receipts.
    #[arg(long)]
    pub store: Option<String>,
    /// Receipt printer: files[:DIR], device:/dev/usb/lp0 or tcp:HOST:PORT (ESC/POS).
    #[arg(long)]
    pub printer: Option<String>,
    /// Minutes without input before the till window locks back to the PIN screen.
    #[arg(long)]
    pub idle_lock: Option<u32>,
    /// What the store's scanners send before each code (empty: nothing).
    #[arg(long)]
    pub scanner_prefix: Option<String>,
    /// The key that ends a scanned code: Enter or Tab.
    #[arg(long)]
    pub scanner_suffix: Option<String>,
}
