//! Where a till lives and how a new one joins head office: the data directory, the
//! machine-wide provisioning file for unattended installs, the decision a first start
//! makes, and an enrollment that leaves nothing behind when it fails.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{InitOptions, Result, Till, TillError, DB_FILE};

/// The till's data directory when none is given: `~/.local/share/alaroma-pos`
/// (`%LOCALAPPDATA%\AlAroma\POS` on Windows).
pub fn default_data_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).map(PathBuf::from);
    if cfg!(windows) {
        if let Some(d) = var("LOCALAPPDATA") {
            return d.join("AlAroma").join("POS");
        }
    }
    var("XDG_DATA_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local/share")))
        .map(|d| d.join("alaroma-pos"))
        .unwrap_or_else(|| PathBuf::from("alaroma-pos"))
}

/// The machine-wide provisioning file IT may place before the first start:
/// `/etc/alaroma-pos/till.toml` (`%ProgramData%\AlAroma\till.toml` on Windows).
pub fn default_config_file() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        return base.join("AlAroma").join("till.toml");
    }
    PathBuf::from("/etc/alaroma-pos/till.toml")
}

/// The provisioning file: every key optional, unknown keys refused (a typo must not
/// silently leave a till unenrolled).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TillConfig {
    /// Head office address, `https://…`.
    pub server: Option<String>,
    /// The one-time enrollment code of this till's terminal.
    pub enrollment_code: Option<String>,
    /// Where the till database lives (default: [`default_data_dir`]).
    pub data_dir: Option<PathBuf>,
    /// The minisign public key updates must be signed with (default: the one built in
    /// from `ALAROMA_UPDATE_PUBKEY`; with neither, the till does not update itself).
    /// Honoured only from a file only root can change ([`trusted_file`]): whoever can
    /// replace the key can install any program on the till.
    pub update_pubkey: Option<String>,
    /// Allow a plain `http://` head office address that is not this machine (the device
    /// secret then crosses the store network in clear).
    #[serde(default)]
    pub insecure_http: bool,
}

/// Whether only root can change `path`: it and every directory above it are owned by
/// root and writable by nobody else. (Windows: the installer's ACLs decide; trusted.)
pub fn trusted_file(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let root_only =
            |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.uid() == 0 && m.mode() & 0o022 == 0);
        let Ok(full) = path.canonicalize() else {
            return false;
        };
        full.ancestors().all(root_only)
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}

impl TillConfig {
    /// Reads the file; no file is an empty configuration, a malformed one an error.
    pub fn load(path: &Path) -> Result<TillConfig> {
        match std::fs::read_to_string(path) {
            Ok(text) => TillConfig::parse(&text)
                .map_err(|e| TillError::InvalidInput(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TillConfig::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Parses the TOML text of a provisioning file.
    pub fn parse(text: &str) -> std::result::Result<TillConfig, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }
}

/// What a start of the till app does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A till exists: open it (provisioning settings are not applied twice).
    Open,
    /// No till yet and a server and code were given: enroll unattended.
    Enroll { server: String, code: String },
    /// No till yet and the demo was asked for: the demo catalog, no server.
    Demo,
    /// No till yet and nothing given: the window asks for the server and code.
    Ask,
}

/// Decides a start from whether a till exists and what was given (command line or
/// environment first, then the provisioning file).
pub fn decide(
    till_exists: bool,
    demo: bool,
    server: Option<String>,
    code: Option<String>,
) -> Start {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let (server, code) = (blank(server), blank(code));
    if till_exists {
        return Start::Open;
    }
    match (server, code) {
        (Some(server), Some(code)) => Start::Enroll { server, code },
        (None, None) if demo => Start::Demo,
        // Nothing, or half an answer (e.g. a provisioning file naming only the server):
        // the window asks, with what was given filled in.
        _ => Start::Ask,
    }
}

/// Creates a till in `dir`, enrolls it with head office and takes its first sync
/// (catalog, prices, cashiers). A refused or unreachable enrollment removes the new
/// database, so the next start asks again; a failed first sync after a successful
/// enrollment keeps the till (the code is spent) and shows in its sync status.
pub fn provision(dir: &Path, server: &str, code: &str, insecure_http: bool) -> Result<Till> {
    if server.trim().is_empty() || code.trim().is_empty() {
        return Err(TillError::InvalidInput(
            "give both the server address and the enrollment code".into(),
        ));
    }
    let mut till = Till::init(dir, &InitOptions::default())?;
    if let Err(e) = till.enroll_with(server, code, insecure_http) {
        drop(till);
        remove_till(dir)?;
        return Err(e);
    }
    // The result is recorded in the till's sync status; the background loop retries.
    let _ = till.sync_once();
    Ok(till)
}

/// Removes a till database and its journal files (a never-enrolled, never-used till).
fn remove_till(dir: &Path) -> Result<()> {
    for name in [
        DB_FILE.to_owned(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
    ] {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn a_first_start_enrolls_asks_or_demos_and_an_existing_till_just_opens() {
        let url = || s("https://ho.example");
        assert_eq!(
            decide(false, false, url(), s("AB12")),
            Start::Enroll {
                server: "https://ho.example".into(),
                code: "AB12".into()
            }
        );
        assert_eq!(decide(false, false, None, None), Start::Ask);
        assert_eq!(decide(false, true, None, None), Start::Demo);
        assert_eq!(decide(false, false, s(" "), s("")), Start::Ask);
        assert_eq!(decide(true, true, url(), s("AB12")), Start::Open);
        assert_eq!(decide(false, true, url(), None), Start::Ask);
        assert_eq!(decide(false, false, None, s("AB12")), Start::Ask);
    }

    #[cfg(unix)]
    #[test]
    fn only_a_file_only_root_can_change_is_trusted() {
        use std::os::unix::fs::{chown, PermissionsExt};
        // Tests run as root here (CI and the dev machines); elsewhere there is nothing to try.
        let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.uid() == 0
        });
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("etc");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = dir.join("till.toml");
        std::fs::write(&f, "update_pubkey = \"k\"\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        // /tmp itself is world-writable (sticky): anything below it could be swapped.
        assert!(!trusted_file(&f));
        assert!(!trusted_file(Path::new("/no/such/file")));
        if root {
            assert!(trusted_file(Path::new("/etc/passwd")));
            let etc = Path::new("/etc");
            assert!(trusted_file(etc));
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o666)).unwrap();
            chown(&f, Some(65534), None).unwrap();
            assert!(!trusted_file(&f));
        }
    }

    #[test]
    fn the_provisioning_file_takes_known_keys_only() {
        let c = TillConfig::parse(
            "server = \"https://ho.example\"\nenrollment_code = \"AB12\"\ndata_dir = \"/srv/till\"\n",
        )
        .unwrap();
        assert_eq!(c.server.as_deref(), Some("https://ho.example"));
        assert_eq!(c.enrollment_code.as_deref(), Some("AB12"));
        assert_eq!(c.data_dir, Some(PathBuf::from("/srv/till")));
        assert_eq!(TillConfig::parse("").unwrap(), TillConfig::default());
        assert!(TillConfig::parse("sever = \"x\"").is_err());
        assert!(TillConfig::parse("server = ").is_err());
    }
}
