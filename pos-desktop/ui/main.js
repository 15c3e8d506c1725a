import init from "./pos_ui.js";
init();
