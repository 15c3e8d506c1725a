// Loads the wasm app; kept out of index.html so the CSP needs no inline script.
import init from "/web_admin.js";

// Notes when the app is first usable (a form or the menu is on screen), for the
// first-load benchmark (sync-server/benches/admin_load.rs).
new MutationObserver((_, o) => {
  if (document.querySelector("form, nav")) {
    window.alaromaReady = performance.now();
    o.disconnect();
  }
}).observe(document.body, { childList: true, subtree: true });

init("/web_admin_bg.wasm");
