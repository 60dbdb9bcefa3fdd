/**
 * CSS of the widget. PANEL_CSS styles our own shadow root (launcher, panel,
 * header); MESSAGE_CSS is handed to deep-chat (auxiliaryStyle) and styles the
 * insides of bot messages: progress, buttons, images.
 * Colours come from the --hw-primary custom property set on the host element.
 */

export const PANEL_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.hw-root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px; color: #1d2624; }
.hw-launcher {
  position: fixed; bottom: 20px; right: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px;
  padding: 12px 18px; border: none; border-radius: 999px; cursor: pointer;
  background: var(--hw-primary); color: #fff; font: inherit; font-weight: 600;
  box-shadow: 0 4px 14px rgba(0,0,0,.25);
}
.hw-root.hw-left .hw-launcher { right: auto; left: 20px; }
.hw-badge {
  position: absolute; top: -6px; right: -6px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #b3261e; color: #fff; border: 2px solid #fff;
  font-size: 13px; font-weight: 700; line-height: 18px; text-align: center;
}
.hw-badge[hidden] { display: none; }
.hw-launcher:focus-visible, .hw-header button:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.hw-panel {
  position: fixed; bottom: 84px; right: 20px; z-index: 2147483001;
  width: 380px; height: min(620px, calc(100vh - 110px));
  display: flex; flex-direction: column; overflow: hidden;
  background: #fff; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.28);
  overscroll-behavior: contain;
}
.hw-root.hw-left .hw-panel { right: auto; left: 20px; }
.hw-panel[hidden] { display: none; }
.hw-header {
  display: flex; align-items: center; gap: 8px; padding: 10px 12px;
  background: var(--hw-primary); color: #fff;
}
.hw-header h2 { flex: 1; margin: 0; font-size: 17px; font-weight: 700; }
.hw-header button {
  font: inherit; font-size: 14px; color: #fff; background: rgba(0,0,0,.16);
  border: 1px solid rgba(255,255,255,.55); border-radius: 8px; padding: 6px 10px; cursor: pointer; min-height: 36px;
}
.hw-header .hw-close { font-size: 20px; line-height: 1; padding: 4px 10px; }
.hw-progress { padding: 6px 12px 8px; background: #eef4f2; font-size: 13px; }
.hw-progress[hidden] { display: none; }
.hw-progress-track { display: block; height: 6px; margin-top: 4px; background: #d3e0dc; border-radius: 3px; overflow: hidden; }
.hw-progress-fill { display: block; height: 100%; width: 0; background: var(--hw-primary); transition: width .3s; }
.hw-status { padding: 8px 12px; background: #fff4d6; color: #5c4400; font-size: 14px; border-bottom: 1px solid #f0d78c; }
.hw-status[hidden] { display: none; }
.hw-confirm { padding: 10px 12px; background: #f3f6f5; border-bottom: 1px solid #d3e0dc; font-size: 14px; }
.hw-confirm[hidden] { display: none; }
.hw-confirm p { margin: 0 0 8px; line-height: 1.4; }
.hw-confirm-actions { display: flex; flex-wrap: wrap; gap: 6px; }
.hw-confirm button {
  font: inherit; font-size: 14px; min-height: 36px; padding: 6px 10px; cursor: pointer; border-radius: 8px;
  color: var(--hw-primary); background: #fff; border: 1.5px solid var(--hw-primary);
}
.hw-confirm .hw-confirm-delete { color: #fff; background: var(--hw-primary); }
.hw-confirm button:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
deep-chat { flex: 1; min-height: 0; display: block; }
.hw-sr { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (max-width: 520px) {
  .hw-panel, .hw-root.hw-left .hw-panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .hw-root.hw-open .hw-launcher { display: none; }
}
`;

export const MESSAGE_CSS = `
.hw-q-progress { margin-bottom: 6px; }
.hw-q-track { display: block; height: 4px; background: #d3e0dc; border-radius: 2px; overflow: hidden; }
.hw-q-fill { display: block; height: 100%; background: var(--hw-primary, #2f6f62); }
.hw-text p { margin: 0 0 6px; }
.hw-text p:last-child { margin-bottom: 0; }
.hw-text ul, .hw-text ol { margin: 4px 0 6px; padding-left: 20px; }
.hw-text a { color: inherit; text-decoration: underline; }
.hw-notice-title { margin: 0 0 4px; }
.hw-image { display: block; max-width: 100%; height: auto; margin-top: 8px; border-radius: 8px; }
.hw-choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; }
.hw-choice, .hw-action {
  font: inherit; font-size: 15px; min-height: 38px; padding: 6px 12px; cursor: pointer; text-align: left;
  color: var(--hw-primary, #2f6f62); background: #fff; border: 1.5px solid var(--hw-primary, #2f6f62); border-radius: 18px;
}
.hw-choice:hover:not([disabled]), .hw-action:hover { background: #eef4f2; }
.hw-choice:focus-visible, .hw-action:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.hw-choice[disabled] { cursor: default; color: #6b7774; border-color: #c5cfcc; background: #f6f8f7; }
.hw-choice.hw-chosen { color: #fff; background: var(--hw-primary, #2f6f62); border-color: var(--hw-primary, #2f6f62); }
`;
