/**
 * Widget settings: from the <script> tag's data-* attributes, overridden by a
 * `window.HechtwijzerConfig` object if the page defines one.
 */

export const DEFAULTS = Object.freeze({
  serverUrl: "",
  socketPath: "/socket.io",
  title: "Hechtwijzer",
  primaryColor: "#2f6f62",
  startOpen: false,
  retentionDays: 30,
  position: "right",
});

const COLOR = /^(#[0-9a-fA-F]{3,8}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)|[a-zA-Z]{3,20})$/;

/**
 * @param {unknown} value "true"/"false"/boolean
 * @param {boolean} fallback
 * @returns {boolean}
 */
function toBool(value, fallback) {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (["true", "1", "yes", "ja"].includes(v)) return true;
    if (["false", "0", "no", "nee"].includes(v)) return false;
  }
  return fallback;
}

/**
 * Merge and validate settings. Unknown or invalid values fall back to defaults.
 * @param {Record<string, string>} dataset the script tag's dataset (may be empty)
 * @param {object|undefined} globalConfig window.HechtwijzerConfig
 * @param {string} scriptOrigin origin the bundle was loaded from (default server)
 * @returns {typeof DEFAULTS}
 */
export function resolveConfig(dataset, globalConfig, scriptOrigin) {
  const raw = { ...(dataset || {}), ...(globalConfig && typeof globalConfig === "object" ? globalConfig : {}) };
  const cfg = { ...DEFAULTS };
  const server = typeof raw.serverUrl === "string" && raw.serverUrl.trim() ? raw.serverUrl.trim() : scriptOrigin;
  cfg.serverUrl = /^https?:\/\//i.test(server || "") ? server.replace(/\/+$/, "") : "";
  if (typeof raw.socketPath === "string" && raw.socketPath.startsWith("/")) cfg.socketPath = raw.socketPath;
  if (typeof raw.title === "string" && raw.title.trim()) cfg.title = raw.title.trim().slice(0, 60);
  if (typeof raw.primaryColor === "string" && COLOR.test(raw.primaryColor.trim())) {
    cfg.primaryColor = raw.primaryColor.trim();
  }
  cfg.startOpen = toBool(raw.startOpen, DEFAULTS.startOpen);
  const days = Number(raw.retentionDays);
  if (Number.isFinite(days) && days >= 1 && days <= 3650) cfg.retentionDays = Math.round(days);
  if (raw.position === "left" || raw.position === "right") cfg.position = raw.position;
  return cfg;
}
