//! The first start: the command line, the provisioning file, and the window's setup screen
//! (server address and enrollment code, or the demo) when neither said what to do.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::Parser;
use pos_desktop::provision::{self, Start, TillConfig};
use pos_desktop::sync_loop::SyncLoop;
use pos_desktop::{InitOptions, Till, TillError, DB_FILE};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::commands::{App, UiError};

/// The Al Aroma till window.
#[derive(Debug, Parser)]
#[command(name = "pos-desktop", version, about)]
pub struct Args {
    /// Directory holding the till database (default: the provisioning file's data_dir,
    /// else ~/.local/share/alaroma-pos).
    #[arg(long, env = "ALAROMA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Head office address for a first start, e.g. https://pos.example.ru (unattended installs).
    #[arg(long, env = "ALAROMA_SERVER")]
    pub server: Option<String>,
    /// This till's one-time enrollment code, with --server.
    #[arg(long, env = "ALAROMA_ENROLLMENT_CODE")]
    pub code: Option<String>,
    /// Provisioning file (default: /etc/alaroma-pos/till.toml).
    #[arg(long, env = "ALAROMA_TILL_CONFIG")]
    pub config: Option<PathBuf>,
    /// On a first start with nothing else given, create a till on the demo catalog.
    #[arg(long, env = "ALAROMA_DEMO")]
    pub demo: bool,
    /// Allow a plain-http head office that is not this machine (its secret crosses the
    /// network in clear): only on a network you trust.
    #[arg(long, env = "ALAROMA_INSECURE_HTTP")]
    pub insecure_http: bool,
}

/// What the window's setup screen needs.
#[derive(Debug, Clone, Serialize)]
pub struct SetupInfo {
    data_dir: PathBuf,
    /// The server address given but not yet used (pre-filled).
    server: Option<String>,
    /// Why an unattended enrollment failed, if it did.
    error: Option<UiError>,
}

/// The state of a start: the till if there is one, and what the setup screen shows if not.
pub struct Setup {
    /// The key releases must be signed with, if updates are on.
    pub update_pubkey: Option<String>,
    /// Plain-http head office allowed (`--insecure-http` or the provisioning file).
    insecure_http: bool,
    dir: PathBuf,
    info: Mutex<SetupInfo>,
    sync: Mutex<Option<SyncLoop>>,
}

/// Reads the command line and the provisioning file and does what they say: opens the
/// till, enrolls a new one, creates the demo, or leaves the choice to the window.
pub fn start(args: Args) -> Result<(Option<Till>, Setup), TillError> {
    let config_path = args
        .config
        .clone()
        .unwrap_or_else(provision::default_config_file);
    let config = TillConfig::load(&config_path)?;
    // The update key decides what code the till will run: only a file only root can
    // change may set it, never one a user could write.
    let file_pubkey = match config.update_pubkey.clone() {
        Some(k) if provision::trusted_file(&config_path) => Some(k),
        Some(_) => {
            eprintln!(
                "update_pubkey in {} ignored: only a root-owned file no one else can write may set it",
                config_path.display()
            );
            None
        }
        None => None,
    };
    let insecure_http = args.insecure_http || config.insecure_http;
    let dir = args
        .data_dir
        .or(config.data_dir)
        .unwrap_or_else(provision::default_data_dir);
    let server = args.server.or(config.server);
    let code = args.code.or(config.enrollment_code);
    let mut info = SetupInfo {
        data_dir: dir.clone(),
        server: server.clone(),
        error: None,
    };
    let till = match provision::decide(dir.join(DB_FILE).exists(), args.demo, server, code) {
        Start::Open => Some(Till::open(&dir)?),
        Start::Demo => Some(demo(&dir)?),
        Start::Ask => None,
        Start::Enroll { server, code } => {
            match provision::provision(&dir, &server, &code, insecure_http) {
                Ok(t) => Some(t),
                Err(e) => {
                    eprintln!("Enrolling with {server} failed: {e}; the window asks again");
                    info.error = Some(e.into());
                    None
                }
            }
        }
    };
    let setup = Setup {
        update_pubkey: crate::updater::pubkey(file_pubkey),
        insecure_http,
        sync: Mutex::new(till.as_ref().and_then(|t| sync_loop(&dir, t))),
        dir,
        info: Mutex::new(info),
    };
    Ok((till, setup))
}

fn demo(dir: &Path) -> Result<Till, TillError> {
    Till::init(
        dir,
        &InitOptions {
            demo: true,
            ..Default::default()
        },
    )
}

/// An enrolled till keeps syncing in the background (its own connection); prices and
/// promotions from head office appear in the next cart refresh.
fn sync_loop(dir: &Path, till: &Till) -> Option<SyncLoop> {
    till.sync_status().ok().filter(|s| s.server.is_some())?;
    Some(SyncLoop::start(dir.to_owned(), Default::default(), |r| {
        if let Err(e) = r {
            eprintln!("sync: {e}");
        }
    }))
}

fn busy() -> UiError {
    UiError {
        code: "internal",
        message: "the till is busy after an earlier failure; restart the app".into(),
    }
}

/// Makes a till from the setup screen and puts it in place. The till is made before the
/// lock is taken (enrolling waits on the network; the window keeps polling meanwhile);
/// making it refuses when a till already exists in the directory.
fn install(
    handle: &AppHandle,
    make: impl FnOnce(&Path) -> Result<Till, TillError>,
) -> Result<(), UiError> {
    let (app, setup) = (handle.state::<App>(), handle.state::<Setup>());
    if app.till.lock().map_err(|_| busy())?.is_some() {
        return Err(TillError::AlreadyInitialised(setup.dir.display().to_string()).into());
    }
    let till = make(&setup.dir)?;
    *setup.sync.lock().map_err(|_| busy())? = sync_loop(&setup.dir, &till);
    *app.till.lock().map_err(|_| busy())? = Some(till);
    setup.info.lock().map_err(|_| busy())?.error = None;
    Ok(())
}

/// Runs a blocking setup step off the async runtime's workers.
async fn blocking(
    handle: AppHandle,
    f: impl FnOnce(&AppHandle) -> Result<(), UiError> + Send + 'static,
) -> Result<(), UiError> {
    tauri::async_runtime::spawn_blocking(move || f(&handle))
        .await
        .map_err(|_| busy())?
}

#[tauri::command]
pub async fn setup_info(setup: State<'_, Setup>) -> Result<SetupInfo, UiError> {
    Ok(setup.info.lock().map_err(|_| busy())?.clone())
}

/// Enrolls this till from the setup screen with head office's address and its code.
#[tauri::command]
pub async fn enroll(handle: AppHandle, server: String, code: String) -> Result<(), UiError> {
    blocking(handle, move |h| {
        let insecure = h.state::<Setup>().insecure_http;
        install(h, |dir| provision::provision(dir, &server, &code, insecure))
    })
    .await
}

/// Starts this till on the demo catalog, with no server.
#[tauri::command]
pub async fn start_demo(handle: AppHandle) -> Result<(), UiError> {
    blocking(handle, |h| install(h, demo)).await
}
