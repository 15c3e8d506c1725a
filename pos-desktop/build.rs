//! With the `app` feature: builds the till window (the Yew UI in `ui/`, to wasm) when its
//! sources changed, then lets tauri-build embed it. The engine and the CLI need none of it.

fn main() {
    #[cfg(feature = "app")]
    app();
}

#[cfg(feature = "app")]
fn app() {
    use std::path::Path;
    use std::process::Command;
    let ui = Path::new("ui");
    for p in [
        "ui/src",
        "ui/index.html",
        "ui/main.js",
        "ui/style.css",
        "ui/Cargo.toml",
        "../shared-model/src",
        "tauri.conf.json",
        "capabilities",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    // The UI has its own target dir: this build holds the lock on ours.
    let status = Command::new("bash")
        .arg("../scripts/build-ui.sh")
        .env("ALAROMA_UI_NESTED", "1")
        .status();
    match status {
        Ok(s) if s.success() && ui.join("dist/index.html").exists() => {}
        other => panic!(
            "building the till window failed ({other:?}); run scripts/build-ui.sh to see why"
        ),
    }
    tauri_build::build();
}
