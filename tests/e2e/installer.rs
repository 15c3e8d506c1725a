//! The till's Debian package on this machine: built by the Tauri bundler from the tree
//! (scripts/build-deb.sh), installed with `dpkg -i`, its window started under Xvfb and
//! enrolled against a running head office with a code given on the command line, sales
//! made with the installed `pos-till`, an upgrade refused while they would be stranded
//! and accepted once they are sent (the database kept), then removed cleanly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::*;
use crate::support::succeeded;
use crate::webdriver::{Display, Driver, Session, ENTER};

/// The package: `ALAROMA_TILL_DEB` when the test command built it already, else a debug
/// build now (the same bundler and configuration as a release; minutes, not seconds).
fn till_package() -> PathBuf {
    if let Some(p) = std::env::var_os("ALAROMA_TILL_DEB") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(root.join("scripts/build-deb.sh"))
        .arg("--debug")
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("scripts/build-deb.sh");
    assert!(out.status.success(), "building the package failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    PathBuf::from(stdout.lines().last().expect("the package path").trim())
}

/// Runs a command as root (sudo unless we are root).
fn root(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = if is_root() {
        Command::new(args[0])
    } else {
        let mut c = Command::new("sudo");
        c.arg("--preserve-env=ALAROMA_DATA_DIR").arg(args[0]);
        c
    };
    cmd.args(&args[1..]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// The installed `pos-till` on the till's directory, answering JSON.
fn pos_till(dir: &Path, args: &[&str]) -> Value {
    let o = Command::new("/usr/bin/pos-till")
        .arg("--json")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("/usr/bin/pos-till");
    let text = succeeded(o, &format!("pos-till {args:?}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("pos-till {args:?}: {e}: {text}"))
}

fn installed_version(package: &str) -> Option<String> {
    let o = Command::new("dpkg-query")
        .args(["-W", "-f", "${Status} ${Version}", package])
        .output()
        .expect("dpkg-query");
    let s = String::from_utf8_lossy(&o.stdout).into_owned();
    s.strip_prefix("install ok installed ").map(str::to_owned)
}

/// A later release of the same build: the version bumped and, with `min_schema`, a
/// pre-install check that no longer sends event schemas below it.
fn later_release(deb: &Path, work: &Path, version: &str, min_schema: u16) -> PathBuf {
    let tree = work.join(format!("pkg-{version}"));
    succeeded(
        Command::new("dpkg-deb")
            .arg("-R")
            .arg(deb)
            .arg(&tree)
            .output()
            .expect("dpkg-deb"),
        "dpkg-deb -R",
    );
    let control = tree.join("DEBIAN/control");
    let text = std::fs::read_to_string(&control).expect("control");
    let text = text
        .lines()
        .map(|l| match l.strip_prefix("Version: ") {
            Some(_) => format!("Version: {version}"),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&control, text + "\n").expect("control");
    let preinst = tree.join("DEBIAN/preinst");
    let script = std::fs::read_to_string(&preinst).expect("the package has a preinst");
    assert!(script.contains("MIN_SCHEMA=1\n"), "{script}");
    std::fs::write(
        &preinst,
        script.replace("MIN_SCHEMA=1\n", &format!("MIN_SCHEMA={min_schema}\n")),
    )
    .expect("preinst");
    let out = work.join(format!("till-{version}.deb"));
    succeeded(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "-b"])
            .arg(&tree)
            .arg(&out)
            .output()
            .expect("dpkg-deb"),
        "dpkg-deb -b",
    );
    out
}

#[test]
fn the_till_package_installs_enrolls_from_the_command_line_upgrades_safely_and_removes_cleanly() {
    let deb = till_package();
    let package = succeeded(
        Command::new("dpkg-deb")
            .args(["-f"])
            .arg(&deb)
            .arg("Package")
            .output()
            .expect("dpkg-deb"),
        "dpkg-deb -f",
    )
    .trim()
    .to_owned();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(spawn_app());
    let api = rt.block_on(app.admin());
    let (_store, _product, code) = rt.block_on(head_office(&api));
    let server = format!("http://{}", app.addr);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("till");

    // Install: the app, pos-till beside it, a desktop entry.
    let _ = root(&["dpkg", "-P", &package], &[]);
    succeeded(
        root(&["dpkg", "-i", deb.to_str().expect("path")], &[]),
        "dpkg -i",
    );
    let files = succeeded(
        Command::new("dpkg")
            .args(["-L", &package])
            .output()
            .expect("dpkg -L"),
        "dpkg -L",
    );
    for f in ["/usr/bin/pos-desktop", "/usr/bin/pos-till"] {
        assert!(files.lines().any(|l| l == f), "{f} not in {files}");
    }
    let desktop = files
        .lines()
        .find(|l| l.starts_with("/usr/share/applications/") && l.ends_with(".desktop"))
        .expect("a desktop entry");
    let entry = std::fs::read_to_string(desktop).expect("desktop entry");
    assert!(entry.contains("Exec=pos-desktop"), "{entry}");

    // First start under Xvfb with the server and code on the command line: the window
    // opens on the PIN screen of an enrolled till with head office's cashiers.
    {
        let display = Display::start();
        let driver = Driver::start(&display, &[]);
        let s = Session::open_with(
            &driver,
            Path::new("/usr/bin/pos-desktop"),
            &[
                "--data-dir",
                dir.to_str().expect("path"),
                "--server",
                &server,
                "--code",
                &code,
            ],
        );
        s.find("pin");
        s.type_into("pin", &format!("654321{ENTER}"));
        s.find("float");
    }
    let status = pos_till(&dir, &["status"]);
    assert_eq!(status["sync"]["server"], server.as_str(), "{status}");
    let seen: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT COUNT(*) FROM terminals WHERE enrolled_at IS NOT NULL")
                .fetch_one(&app.state.db),
        )
        .expect("terminals");
    assert_eq!(seen, 1);

    // A sale with the network down (the app is closed; nothing pushes it).
    pos_till(&dir, &["login", "--pin", "654321"]);
    pos_till(&dir, &["shift", "open", "--float", "0"]);
    pos_till(&dir, &["sale", "add", "4006381333931"]);
    pos_till(&dir, &["sale", "pay", "cash", "100"]);
    pos_till(&dir, &["sale", "complete"]);
    let pending = pos_till(&dir, &["status"])["sync"]["pending"].clone();
    assert!(pending.as_u64().is_some_and(|p| p >= 2), "{pending}");

    // A release that no longer sends event schema 2 (what this one writes) is refused
    // while those events wait, and the installed version and the database stay as they were.
    let stranding = later_release(&deb, tmp.path(), "0.1.1", 3);
    let o = root(
        &["dpkg", "-i", stranding.to_str().expect("path")],
        &[("ALAROMA_DATA_DIR", &dir)],
    );
    assert!(!o.status.success(), "the stranding upgrade was installed");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("let it sync"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(installed_version(&package).as_deref(), Some("0.1.0"));
    assert_eq!(pos_till(&dir, &["status"])["sync"]["pending"], pending);

    // Once the till has synced, the same upgrade goes in and keeps the database.
    pos_till(&dir, &["sync"]);
    assert_eq!(pos_till(&dir, &["status"])["sync"]["pending"], 0);
    succeeded(
        root(
            &["dpkg", "-i", stranding.to_str().expect("path")],
            &[("ALAROMA_DATA_DIR", &dir)],
        ),
        "dpkg -i after sync",
    );
    assert_eq!(installed_version(&package).as_deref(), Some("0.1.1"));
    let report = pos_till(&dir, &["report", "x"]);
    assert_eq!(report["sales"]["minor"], 10_000, "{report}");
    let sales: i64 = rt
        .block_on(sqlx::query_scalar("SELECT COUNT(*) FROM sales").fetch_one(&app.state.db))
        .expect("sales");
    assert_eq!(sales, 1);

    // Removal takes the program and leaves the till's data; purge too.
    succeeded(root(&["dpkg", "-r", &package], &[]), "dpkg -r");
    for f in ["/usr/bin/pos-desktop", "/usr/bin/pos-till", desktop] {
        assert!(!Path::new(f).exists(), "{f} is still there");
    }
    assert!(dir.join(pos_desktop::DB_FILE).exists());
    succeeded(root(&["dpkg", "-P", &package], &[]), "dpkg -P");
    assert_eq!(installed_version(&package), None);
}
