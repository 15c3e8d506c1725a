//! Crash safety: a child process sells in a loop and is killed with SIGKILL at random
//! moments; after every kill the database must be intact and every sale whole.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use pos_desktop::Till;
use shared_model::Tender;

const CHILD_ENV: &str = "ALAROMA_CRASH_CHILD_DIR";
const KILLS: usize = 60;

/// Not a test on its own: the body the parent runs in a child process.
#[test]
#[ignore = "run only as the crash test's child process"]
fn child_sells_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut till = Till::open(std::path::Path::new(&dir)).expect("open");
    let goods = [
        ("P0001", None),
        ("D0004", Some("1.5")),
        ("C0161", Some("2")),
    ];
    loop {
        // Pick up wherever the last (killed) run left the persisted cart.
        let cart = till.cart().expect("cart");
        let lines = cart.as_ref().map_or(0, |c| c.lines.len());
        if lines < goods.len() {
            let (code, qty) = goods[lines];
            till.add_item(code, qty).expect("add");
        } else if cart.as_ref().is_some_and(|c| c.due.minor > 0) {
            till.pay(Tender::Cash, "50000", None).expect("pay");
        } else {
            till.complete_sale().expect("complete");
        }
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Runs the child test `child` on the till in `dir` (told by `env`) and SIGKILLs it after
/// a random 30 ms to `30 + spread` ms, `kills` times; after each kill the till must open
/// and verify whole. Returns the receipts at the end and the rounds in which sales
/// completed.
fn kill_repeatedly(child: &str, env: &str, dir: &Path, kills: usize, spread: u64) -> (u64, usize) {
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("{child}: seed {seed}");
    let mut rng = Rng(seed);
    let exe = std::env::current_exe().expect("test binary");
    let mut last_receipts = 0;
    let mut progressed = 0;
    for kill in 0..kills {
        let mut c = Command::new(&exe)
            .args([
                child,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(env, dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        std::thread::sleep(Duration::from_millis(30 + rng.next(spread)));
        c.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
        let status = c.wait().expect("reap");
        assert!(
            status.code().is_none(),
            "kill {kill}: child exited by itself ({status}), not killed"
        );
        let till = Till::open(dir).expect("reopen after kill");
        let report = till.verify().expect("verify");
        assert!(
            report.ok,
            "after kill {kill} (seed {seed}): {:?}",
            report.problems
        );
        if report.receipts > last_receipts {
            progressed += 1;
        }
        last_receipts = report.receipts;
    }
    (last_receipts, progressed)
}

#[test]
fn sales_survive_sigkill_whole_or_not_at_all() {
    // Hundreds of processes started and killed: never beside a key-timing test.
    let _turn = crate::webdriver::turn(false);
    let (dir, till) = crate::support::open_till();
    drop(till);
    let (last_receipts, progressed) = kill_repeatedly(
        "crash::child_sells_until_killed",
        CHILD_ENV,
        dir.path(),
        KILLS,
        250,
    );
    assert!(last_receipts > 0, "the child never completed a sale");
    assert!(
        progressed > KILLS / 4,
        "sales completed between only {progressed} of {KILLS} kills"
    );
    println!("{KILLS} kills, {last_receipts} receipts, progress in {progressed} rounds");
}

const FISCAL_CHILD_ENV: &str = "ALAROMA_FISCAL_CRASH_CHILD_DIR";
const FISCAL_KILLS: usize = 50;

/// Not a test on its own: sells at three VAT rates, card and cash, on a till with a
/// fiscal register, until killed.
#[test]
#[ignore = "run only as the fiscal crash test's child process"]
fn child_sells_fiscally_until_killed() {
    let Some(dir) = std::env::var_os(FISCAL_CHILD_ENV) else {
        return;
    };
    let mut till = Till::open(std::path::Path::new(&dir)).expect("open");
    // 22 %, 10 % and no VAT.
    let goods = [("P0001", None), ("K0237", Some("2")), ("A0249", None)];
    loop {
        let cart = till.cart().expect("cart");
        let lines = cart.as_ref().map_or(0, |c| c.lines.len());
        let paid = cart.as_ref().map_or(0, |c| c.payments.len());
        if lines < goods.len() {
            let (code, qty) = goods[lines];
            till.add_item(code, qty).expect("add");
        } else if paid == 0 {
            till.pay(Tender::Card, "1000", Some("123456"))
                .expect("card");
        } else if cart.as_ref().is_some_and(|c| c.due.minor > 0) {
            till.pay(Tender::Cash, "50000", None).expect("cash");
        } else {
            till.complete_sale().expect("complete");
        }
    }
}

#[test]
fn fiscal_sales_survive_sigkill_with_exactly_one_receipt_each() {
    let _turn = crate::webdriver::turn(false);
    let (dir, till, emu) = crate::fiscal::fiscal_till(2_000);
    drop(till);
    let (_, progressed) = kill_repeatedly(
        "crash::child_sells_fiscally_until_killed",
        FISCAL_CHILD_ENV,
        dir.path(),
        FISCAL_KILLS,
        300,
    );
    assert!(
        progressed > FISCAL_KILLS / 4,
        "sales completed between only {progressed} kills"
    );

    // After the last restart, whatever was in flight is settled by asking the register.
    let mut till = Till::open(dir.path()).expect("reopen");
    till.settle_fiscal().expect("every sale settled");
    let sales = till.x_report().expect("x").sales_count as usize;
    let signed = till.fiscal_documents().expect("docs");
    assert_eq!(
        signed.len(),
        sales + 1,
        "one document per sale, plus the shift's opening"
    );
    assert_eq!(
        emu.documents("sell").len(),
        sales,
        "the register signed each sale once"
    );
    let mut numbers: Vec<u64> = signed.iter().map(|(_, d)| d.number).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), sales + 1);
    // The register's counters equal the till's report to the kopeck, by payment type and
    // VAT rate.
    assert_eq!(till.register_comparison().expect("compare"), Some(vec![]));
    // The killed child's unfinished cart goes before the Z.
    if till
        .cart()
        .expect("cart")
        .is_some_and(|c| !c.lines.is_empty())
    {
        till.unpay().expect("unpay");
        till.void_sale("the till was killed mid-sale")
            .expect("void");
    }
    till.close_shift("0").expect("Z");
    assert_eq!(emu.documents("closeShift").len(), 1);
    println!("{FISCAL_KILLS} kills, {sales} fiscal sales, progress in {progressed} rounds");
}
