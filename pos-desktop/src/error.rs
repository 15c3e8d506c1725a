//! The till engine's one error type. Messages are for the cashier or support person.

use shared_model::{ModelError, Money, Quantity};

/// Everything the till can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum TillError {
    /// A domain rule refused the input.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// A gift certificate cannot be used as asked.
    #[error("{0}")]
    Certificate(#[from] shared_model::certificates::CertificateRefusal),
    /// Head office refused a certificate redemption (its reason code is kept).
    #[error("{message}")]
    CertificateRefused { code: &'static str, message: String },
    /// A coupon the customer presented does not work, with the reason.
    #[error("{0}")]
    Coupon(String),
    /// No customer with that phone or card.
    #[error("no customer with phone or card {0:?}")]
    UnknownCustomer(String),
    /// A customer with that phone or card already exists.
    #[error("a customer with this {0} already exists")]
    CustomerExists(&'static str),
    /// No database where one was expected.
    #[error("no till database at {0}; run `pos-till init` first")]
    NotInitialised(String),
    /// `init` over an existing till.
    #[error("a till database already exists at {0}")]
    AlreadyInitialised(String),
    /// Another process holds the database.
    #[error("the till database is locked by another program; close it and try again")]
    Locked,
    /// The database file is not a till database or is damaged.
    #[error("the till database is damaged or not a till database: {0}")]
    Corrupt(String),
    /// No product with that barcode or SKU.
    #[error("no product with barcode or SKU {0:?}")]
    UnknownProduct(String),
    /// Nobody is logged in.
    #[error("no cashier is logged in; log in with your PIN")]
    NotLoggedIn,
    /// The PIN matched no active cashier.
    #[error("wrong PIN")]
    WrongPin,
    /// Too many wrong PINs: the till waits before the next try.
    #[error("too many wrong PINs; try again in {seconds} s")]
    PinLocked { seconds: u64 },
    /// Two people on this till share the PIN: nobody is logged in by it.
    #[error("two people on this till have this PIN, so it logs in nobody; head office must give one of them another")]
    PinShared,
    /// A PIN that is not 4–8 digits.
    #[error("a PIN is 4 to 8 digits")]
    InvalidPin,
    /// The fiscal register could not do what was asked.
    #[error("{0}")]
    Register(#[from] RegisterError),
    /// The register's state stops sales until someone acts (Z report, ОФД, paper, ФН).
    #[error("sales are stopped: {0}")]
    RegisterBlocked(String),
    /// A document awaits its fiscal receipt: nothing new starts until it has one.
    #[error("the last sale awaits its fiscal receipt: {reason}")]
    FiscalPending { reason: String },
    /// A marked product scanned by its barcode: its unit's DataMatrix is needed.
    #[error("«{0}» is sold by its marking code: scan the DataMatrix on the pack")]
    MarkRequired(String),
    /// The permit check (or the group's rule without one) refused the unit.
    #[error("«{product}» may not be sold: {}", refusal.code().replace('_', " "))]
    MarkRefused {
        product: String,
        refusal: shared_model::marking::permit::Refusal,
    },
    /// The same code twice in one sale.
    #[error("«{0}»: this unit's code is in the sale already")]
    MarkRepeated(String),
    /// A code this till sold and did not take back.
    #[error("«{0}»: this till sold the unit with this code and did not take it back")]
    MarkSoldHere(String),
    /// A marked unit is one piece.
    #[error("a marked unit is one piece: scan each unit's code")]
    MarkOnePiece,
    /// A returned code that the sale did not sell (or that came back already).
    #[error("receipt {0} did not sell a unit with this code, or it was returned")]
    MarkNotInSale(u64),
    /// Input the CLI or UI could not make sense of.
    #[error("{0}")]
    InvalidInput(String),
    /// A cashier needs a name.
    #[error("a name is required")]
    NameRequired,
    /// Another cashier already has this PIN.
    #[error("this PIN is already in use on this till")]
    PinInUse,
    /// The cashier's role does not allow the operation.
    #[error("your role ({role}) may not {action}")]
    Forbidden { role: String, action: String },
    /// The operation needs an open shift.
    #[error("no shift is open; open a shift first")]
    NoOpenShift,
    /// A shift is already open.
    #[error("shift {0} is already open")]
    ShiftAlreadyOpen(u64),
    /// The cart has nothing in it.
    #[error("the sale is empty")]
    EmptyCart,
    /// No such line in the cart.
    #[error("there is no line {0} in the sale")]
    NoSuchLine(usize),
    /// The cart cannot change while it holds payments.
    #[error("payments have been taken; remove them first (sale unpay)")]
    CartHasPayments,
    /// Shift close with a sale in progress.
    #[error("a sale is in progress; complete, park or void it first")]
    SaleInProgress,
    /// No parked sale with that id.
    #[error("no parked sale {0}")]
    NoSuchParkedSale(String),
    /// A card payment needs the approval code from the card terminal.
    #[error("a card payment needs the approval code from the card terminal (--approval)")]
    ApprovalCodeRequired,
    /// An approval code that is not 1–12 letters or digits.
    #[error("an approval code is 1 to 12 letters or digits")]
    InvalidApprovalCode,
    /// No receipt with that number.
    #[error("no sale receipt number {0}")]
    NoSuchReceipt(u64),
    /// A return over what is left to return.
    #[error("line {line}: only {left} left to return")]
    ReturnExceedsSold { line: u32, left: Quantity },
    /// Everything on the receipt was already returned.
    #[error("nothing left to return on receipt {0}")]
    NothingToReturn(u64),
    /// A void, cash movement or adjustment needs a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// An amount that must be above zero.
    #[error("the amount must be above zero")]
    NonPositiveAmount,
    /// Cash out over what the drawer should hold.
    #[error("the drawer should hold only {0}")]
    NotEnoughCash(Money),
    /// A bad row in a catalog CSV.
    #[error("catalog line {line}: {message}")]
    Import { line: u64, message: String },
    /// The till is not enrolled with head office.
    #[error("this till is not enrolled; run `pos-till enroll --server URL --code CODE`")]
    NotEnrolled,
    /// Head office could not be reached (retried later).
    #[error("offline: {0}")]
    Network(String),
    /// Head office refused the request; the till keeps its events.
    #[error("head office refused: {message}")]
    SyncRefused {
        code: String,
        message: String,
        expected_seq: Option<u64>,
    },
    /// The receipt printer failed (the sale stands; reprint when it is fixed).
    #[error("printer: {0}")]
    Printer(String),
    /// Unsent events of an event schema this version no longer sends.
    #[error(
        "{count} events of event schema {oldest} have not reached head office and this \
         version sends schema {min} and newer only: reinstall the previous version and let \
         it sync first"
    )]
    StrandedEvents { count: u64, oldest: u16, min: u16 },
    /// Reading a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// An unexpected database failure.
    #[error("database error: {0}")]
    Db(rusqlite::Error),
    /// Stored data that does not parse: a bug or tampering.
    #[error("stored data is invalid: {0}")]
    Data(String),
}

impl From<rusqlite::Error> for TillError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => TillError::Locked,
            Some(NotADatabase | DatabaseCorrupt) => TillError::Corrupt(e.to_string()),
            _ => TillError::Db(e),
        }
    }
}

impl From<serde_json::Error> for TillError {
    fn from(e: serde_json::Error) -> Self {
        TillError::Data(e.to_string())
    }
}

impl TillError {
    /// Process exit code for the CLI: 3 not found, 4 refused input, 5 storage
    /// unavailable, 1 anything unexpected.
    pub fn exit_code(&self) -> i32 {
        use TillError::*;
        match self {
            UnknownProduct(_) | UnknownCustomer(_) | NoSuchLine(_) | NoSuchParkedSale(_)
            | NoSuchReceipt(_) => 3,
            NotInitialised(_) | AlreadyInitialised(_) | Locked | Corrupt(_) => 5,
            Network(_) => 6,
            StrandedEvents { .. } => 7,
            Io(_) | Db(_) | Data(_) => 1,
            _ => 4,
        }
    }

    /// A stable machine code for `--json` output.
    pub fn code(&self) -> &'static str {
        use shared_model::marking::permit::Refusal;
        use TillError::*;
        match self {
            Model(_) => "invalid_input",
            Certificate(r) => r.code(),
            CertificateRefused { code, .. } => code,
            Coupon(_) => "coupon_refused",
            UnknownCustomer(_) => "unknown_customer",
            CustomerExists(_) => "customer_exists",
            NotInitialised(_) => "not_initialised",
            AlreadyInitialised(_) => "already_initialised",
            Locked => "locked",
            Corrupt(_) => "corrupt",
            UnknownProduct(_) => "unknown_product",
            NotLoggedIn => "not_logged_in",
            WrongPin | InvalidPin => "wrong_pin",
            PinInUse => "pin_in_use",
            PinLocked { .. } => "pin_locked",
            PinShared => "pin_shared",
            NameRequired => "name_required",
            InvalidInput(_) => "invalid_input",
            MarkRequired(_) => "mark_required",
            MarkRefused { refusal, .. } => match refusal {
                Refusal::NotFound => "mark_not_found",
                Refusal::AlreadySold => "mark_already_sold",
                Refusal::Withdrawn => "mark_withdrawn",
                Refusal::Expired => "mark_expired",
                Refusal::Blocked => "mark_blocked",
                Refusal::NoAnswer => "mark_no_answer",
            },
            MarkRepeated(_) => "mark_repeated",
            MarkSoldHere(_) => "mark_sold_here",
            MarkOnePiece => "mark_one_piece",
            MarkNotInSale(_) => "mark_not_in_sale",
            FiscalPending { .. } => "fiscal_pending",
            Register(_) => "register",
            RegisterBlocked(_) => "register_blocked",
            Forbidden { .. } => "forbidden",
            NoOpenShift => "no_open_shift",
            ShiftAlreadyOpen(_) => "shift_already_open",
            EmptyCart => "empty_cart",
            NoSuchLine(_) => "no_such_line",
            CartHasPayments => "cart_has_payments",
            SaleInProgress => "sale_in_progress",
            NoSuchParkedSale(_) => "no_such_parked_sale",
            ApprovalCodeRequired | InvalidApprovalCode => "approval_code",
            NoSuchReceipt(_) => "no_such_receipt",
            ReturnExceedsSold { .. } | NothingToReturn(_) => "return_exceeds_sold",
            ReasonRequired => "reason_required",
            NonPositiveAmount => "invalid_input",
            NotEnoughCash(_) => "not_enough_cash",
            Import { .. } => "import",
            NotEnrolled => "not_enrolled",
            Network(_) => "offline",
            Printer(_) => "printer",
            SyncRefused { .. } => "sync_refused",
            StrandedEvents { .. } => "stranded_events",
            Io(_) => "io",
            Db(_) => "database",
            Data(_) => "data",
        }
    }
}

/// Result with [`TillError`].
pub type Result<T, E = TillError> = std::result::Result<T, E>;

/// Why a register did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The register did not answer (or its answer was lost): whether the task ran is
    /// unknown until the register is asked about it by its uuid.
    #[error("the fiscal register did not answer: {0}")]
    NoAnswer(String),
    /// The task is queued or running on the register: ask again shortly.
    #[error("the fiscal register is still working on it")]
    InProgress,
    /// No paper.
    #[error("the fiscal register is out of paper: load a roll and retry")]
    PaperOut,
    /// The cover is open.
    #[error("the fiscal register's cover is open: close it and retry")]
    CoverOpen,
    /// The register's shift is over 24 hours old.
    #[error("the fiscal register's shift is over 24 hours old: close the shift (Z report)")]
    ShiftExpired,
    /// The register's shift is closed.
    #[error("the fiscal register's shift is closed")]
    ShiftClosed,
    /// The register's shift is already open.
    #[error("the fiscal register's shift is already open")]
    ShiftOpen,
    /// The fiscal storage is locked: the ОФД has not confirmed documents for 30 days.
    #[error("the fiscal storage is locked: documents have not reached the OFD for 30 days; connect the register to the internet")]
    OfdLock,
    /// The fiscal storage's term is over.
    #[error("the fiscal storage has expired and must be replaced")]
    FnExpired,
    /// Not enough cash in the register's drawer counter.
    #[error("the fiscal register counts less cash in the drawer")]
    NoCash,
    /// The register refused the task's contents (names the field): a fault of ours.
    #[error("the fiscal register refused the receipt ({code}): {description}")]
    Refused {
        /// Driver error code.
        code: u32,
        /// The register's words.
        description: String,
    },
}

impl RegisterError {
    /// A stable code the window words in the cashier's language.
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::NoAnswer(_) => "no_answer",
            RegisterError::InProgress => "in_progress",
            RegisterError::PaperOut => "paper_out",
            RegisterError::CoverOpen => "cover_open",
            RegisterError::ShiftExpired => "shift_expired",
            RegisterError::ShiftClosed => "shift_closed",
            RegisterError::ShiftOpen => "shift_open",
            RegisterError::OfdLock => "ofd_lock",
            RegisterError::FnExpired => "fn_expired",
            RegisterError::NoCash => "no_cash",
            RegisterError::Refused { .. } => "refused",
        }
    }

    /// Whether the task may have run (so it must be looked up, never simply redone).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, RegisterError::NoAnswer(_) | RegisterError::InProgress)
    }
}
