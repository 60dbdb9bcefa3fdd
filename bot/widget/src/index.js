/**
 * Entry point of hechtwijzer-widget.js: read the settings from our own <script>
 * tag (or window.HechtwijzerConfig) and mount the widget once the page is ready.
 */
import { resolveConfig } from "./config.js";
import { HechtwijzerWidget } from "./widget.js";

(function boot() {
  if (window.__hechtwijzerWidget) return; // included twice: keep the first
  const script =
    document.currentScript || document.querySelector('script[src*="hechtwijzer-widget"]');
  let origin = window.location.origin;
  try {
    if (script && script.src) origin = new URL(script.src, window.location.href).origin;
  } catch {
    /* keep the page origin */
  }
  const config = resolveConfig(script ? { ...script.dataset } : {}, window.HechtwijzerConfig, origin);
  const start = () => {
    const widget = new HechtwijzerWidget(config, window);
    window.__hechtwijzerWidget = widget;
    widget.mount();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
