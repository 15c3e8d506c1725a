//! The ATOL emulator (`fiscal-emulator`'s `atol-emulator`) as a real process: started on
//! a free port with its state file in the test's temp dir, restarted or killed as a
//! register would be, its faults and clock set through its control endpoint.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// A running emulator.
pub struct Emulator {
    child: Option<Child>,
    state: PathBuf,
    listen: String,
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
}

/// A workspace binary, built beside this test's (`cargo test --workspace` builds them all;
/// a test run of one crate alone builds the missing one here once).
pub fn built(package: &str, name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(name);
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let st = Command::new(cargo)
            .args(["build", "-p", package, "--bin", name])
            .status()
            .expect("cargo build");
        assert!(st.success(), "building {name}");
    }
    bin
}

/// Starts one of the emulators' binaries and waits for its `listening on http://ADDR`
/// line: the process and the address it took.
fn listening(name: &str, args: &[&str]) -> (Child, String) {
    let mut child = Command::new(built("fiscal-emulator", name))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{name} said {line:?}"))
        .to_owned();
    (child, addr)
}

/// A test's call to an emulator's control endpoint, which must succeed.
fn control(url: &str, path: &str, body: Value) {
    let r = reqwest::blocking::Client::new()
        .post(format!("{url}{path}"))
        .json(&body)
        .send()
        .expect("control");
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

impl Emulator {
    /// A new register with its state in `dir`.
    pub fn start(dir: &Path) -> Emulator {
        let mut e = Emulator {
            child: None,
            state: dir.join("register.json"),
            listen: "127.0.0.1:0".into(),
            url: String::new(),
        };
        e.spawn();
        e
    }

    fn spawn(&mut self) {
        let state = self.state.to_string_lossy().into_owned();
        let (child, addr) = listening(
            "atol-emulator",
            &["--listen", &self.listen, "--state", &state],
        );
        self.listen = addr.clone(); // a restart comes back on the same port
        self.url = format!("http://{addr}");
        self.child = Some(child);
    }

    /// Kills the process (as a power cut would) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Whether the process has exited by itself (a crash fault).
    pub fn has_exited(&mut self) -> bool {
        match &mut self.child {
            Some(c) => c.try_wait().ok().flatten().is_some(),
            None => true,
        }
    }

    /// Starts it again from its state file.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn post(&self, path: &str, body: Value) {
        control(&self.url, path, body);
    }

    /// Sets the faults (every one not named is off).
    pub fn faults(&self, f: Value) {
        self.post("/control/faults", f);
    }

    /// Moves the register's clock on.
    pub fn advance(&self, secs: i64) {
        self.post("/control/clock", json!({"advance_secs": secs}));
    }

    /// Everything the register holds.
    pub fn state(&self) -> Value {
        reqwest::blocking::get(format!("{}/control/state", self.url))
            .and_then(|r| r.json())
            .expect("state")
    }

    /// The fiscal documents it made of a kind (`sell`, `openShift`…).
    pub fn documents(&self, kind: &str) -> Vec<Value> {
        self.state()["journal"]
            .as_array()
            .expect("journal")
            .iter()
            .filter(|d| d["kind"] == kind)
            .cloned()
            .collect()
    }

    /// A cash sale rung up on the register alone (at its own keyboard, behind the till's
    /// back), of `kopecks` at 22 % VAT.
    pub fn sell_aside(&self, kopecks: i64) {
        use pos_desktop::fiscal::{atol::Atol, FiscalRegister};
        use shared_model::fiscal::{
            FiscalLine, FiscalPayment, FiscalReceipt, Operator, PaymentKind, PaymentMethod,
            ReceiptKind, Subject, Taxation,
        };
        use shared_model::{Currency, Money, Quantity, Unit, VatRate};
        let sum = Money::new(kopecks, Currency::RUB);
        let receipt = FiscalReceipt {
            kind: ReceiptKind::Sell,
            taxation: Taxation::Osn,
            operator: Operator {
                name: "Иванова".into(),
                vatin: None,
            },
            lines: vec![FiscalLine {
                name: "Пробник".into(),
                price: sum,
                qty: Quantity::parse("1").expect("qty"),
                unit: Unit::Piece,
                amount: sum,
                vat: VatRate::Vat22,
                method: PaymentMethod::FullPayment,
                subject: Subject::Commodity,
                mark: None,
            }],
            payments: vec![FiscalPayment {
                kind: PaymentKind::Cash,
                sum,
            }],
            total: sum,
            client: None,
            notes: vec![],
            correction: None,
        };
        Atol::new(&self.url, std::time::Duration::from_secs(2))
            .receipt(uuid::Uuid::new_v4(), &receipt)
            .expect("a sale on the register alone");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The marking code checker (`marking-emulator`: Честный ЗНАК online and ЛМ ЧЗ) as a
/// real process, its verdicts and faults set through its control endpoint.
pub struct Checker {
    child: Child,
    /// Its base URL.
    pub url: String,
}

impl Checker {
    /// A checker that lets every code be sold until told otherwise.
    pub fn start() -> Checker {
        let (child, addr) = listening("marking-emulator", &["--listen", "127.0.0.1:0"]);
        Checker {
            child,
            url: format!("http://{addr}"),
        }
    }

    fn post(&self, path: &str, body: Value) {
        control(&self.url, path, body);
    }

    /// Verdicts by the beginning of a code (`already_sold`, `blocked`…).
    pub fn verdicts(&self, v: Value) {
        self.post("/control/verdicts", v);
    }

    /// Faults (`slow_ms`, `down`, `status`); every one not named is off.
    pub fn faults(&self, f: Value) {
        self.post("/control/faults", f);
    }

    /// The codes it was asked about.
    pub fn asked(&self) -> Vec<String> {
        reqwest::blocking::get(format!("{}/control/asked", self.url))
            .and_then(|r| r.json())
            .expect("asked")
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
