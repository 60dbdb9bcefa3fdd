import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULTS, resolveConfig } from "../src/config.js";

test("defaults use the script's origin as server", () => {
  const cfg = resolveConfig({}, undefined, "http://localhost:5005");
  assert.deepEqual(cfg, { ...DEFAULTS, serverUrl: "http://localhost:5005" });
});

test("data attributes are read and validated", () => {
  const cfg = resolveConfig(
    { serverUrl: "https://bot.example.nl/", title: "Hulp", primaryColor: "#123abc", startOpen: "true", retentionDays: "14" },
    undefined,
    "http://x",
  );
  assert.equal(cfg.serverUrl, "https://bot.example.nl");
  assert.equal(cfg.title, "Hulp");
  assert.equal(cfg.primaryColor, "#123abc");
  assert.equal(cfg.startOpen, true);
  assert.equal(cfg.retentionDays, 14);
});

test("window.HechtwijzerConfig overrides data attributes", () => {
  const cfg = resolveConfig({ title: "A" }, { title: "B", startOpen: true }, "http://x");
  assert.equal(cfg.title, "B");
  assert.equal(cfg.startOpen, true);
});

test("invalid values fall back to defaults", () => {
  const cfg = resolveConfig(
    { primaryColor: "red;background:url(x)", startOpen: "misschien", retentionDays: "-3", serverUrl: "javascript:alert(1)" },
    null,
    "",
  );
  assert.equal(cfg.primaryColor, DEFAULTS.primaryColor);
  assert.equal(cfg.startOpen, false);
  assert.equal(cfg.retentionDays, 30);
  assert.equal(cfg.serverUrl, "");
});
