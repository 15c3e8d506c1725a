// Loads the wasm app; kept out of index.html so the CSP needs no inline script.
import init from "/web_admin.js";
init("/web_admin_bg.wasm");
