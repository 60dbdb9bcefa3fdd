/**
 * The widget: a launcher button and a chat panel in a shadow root, with
 * deep-chat as the message list + input and socket.io to Rasa.
 */
import "deep-chat";
import { io } from "socket.io-client";

import { RasaConnection } from "./connection.js";
import { escapeHtml, plainTextHtml } from "./markdown.js";
import { announcement, currentProgress, fromBotUttered, renderBotHtml, toChatMessages } from "./messages.js";
import { ConversationStore } from "./storage.js";
import { NL, fill } from "./strings.js";
import { MESSAGE_CSS, PANEL_CSS } from "./styles.js";

const MAX_MESSAGE_CHARS = 1500;
// The browser copy expires like the server copy; checked this often and when the tab
// becomes visible again.
const EXPIRY_CHECK_MS = 60 * 1000;
// "Nieuw gesprek" with deleting: the bot's own "yes" button is pressed for the person.
const CONFIRM_DELETE = "/confirm_delete_data";
const AUTO_CONFIRM_DELAY_MS = 400;
const DELETE_QUESTION_WAIT_MS = 120 * 1000;
const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
// At this width the panel fills the screen and is a modal dialog (see styles.js).
const PHONE_QUERY = "(max-width: 520px)";
// Below 16 px iOS zooms the page when the input gets focus.
const INPUT_FONT_SIZE = "16px";
const FOCUSABLE =
  'button:not([disabled]), a[href], input:not([disabled]), textarea:not([disabled]), [contenteditable="true"], [tabindex]:not([tabindex="-1"])';
const CHAT_ICON =
  '<svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 24 24" fill="none" ' +
  'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' +
  '<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';

/**
 * @param {Storage|undefined} candidate window.localStorage (may throw on access)
 * @returns {Storage|null}
 */
function usableStorage(candidate) {
  try {
    const probe = "__hw_probe__";
    candidate.setItem(probe, "1");
    candidate.removeItem(probe);
    return candidate;
  } catch {
    return null;
  }
}

/**
 * deep-chat's markdown renderer with our own rendering: the text exactly as typed.
 * @param {{render: Function, renderInline: Function}} md a Remarkable instance
 */
function plainUserText(md) {
  md.render = (src) => plainTextHtml(src);
  md.renderInline = (src) => plainTextHtml(src);
}

/**
 * deep-chat shows the person's own messages through its markdown renderer, which
 * makes links of `[x](javascript:...)`. Every bot message is HTML we built and
 * escaped ourselves, so that renderer only ever sees what the person typed: replace
 * its rendering with plain, escaped text. deep-chat's one hook for this is the
 * page-wide `remarkable_plugins` list, read whenever it creates a renderer.
 * @param {Window} win
 */
function installPlainUserText(win) {
  const plugins = Array.isArray(win.remarkable_plugins) ? win.remarkable_plugins : [];
  if (!plugins.some((p) => p && p.plugin === plainUserText)) {
    win.remarkable_plugins = [...plugins, { plugin: plainUserText }];
  }
}

/**
 * The element that has the focus, looking into open shadow roots.
 * @param {Document|ShadowRoot} root
 * @returns {Element|null}
 */
function deepActiveElement(root) {
  let el = root.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/**
 * @param {Element} el
 * @returns {boolean} whether it takes up space on screen
 */
function isShown(el) {
  return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
}

export class HechtwijzerWidget {
  /**
   * @param {ReturnType<import("./config.js").resolveConfig>} config
   * @param {Window} win the page's window
   */
  constructor(config, win) {
    this.config = config;
    this.win = win;
    this.doc = win.document;
    let storage = null;
    try {
      storage = usableStorage(win.localStorage);
    } catch {
      storage = null;
    }
    this.store = new ConversationStore(storage, config.serverUrl, config.retentionDays);
    this.signals = null;
    this.pendingChoice = null;
    this.wasOffline = false;
    /** @type {{until: number}|null} "Nieuw gesprek" is deleting the old conversation */
    this.pendingDelete = null;
    /** @type {{y: number, styles: Record<string, string>}|null} page scroll while modal */
    this.scrollLock = null;
    this.phone = typeof win.matchMedia === "function" ? win.matchMedia(PHONE_QUERY) : null;
  }

  /** Build the DOM, restore the conversation and connect. */
  mount() {
    const { title } = this.config;
    const host = this.doc.createElement("div");
    host.id = "hechtwijzer-widget";
    host.setAttribute("lang", "nl");
    host.style.setProperty("--hw-primary", this.config.primaryColor);
    this.doc.body.appendChild(host);
    this.host = host;
    const root = host.attachShadow({ mode: "open" });
    this.root = root;
    const t = escapeHtml(title);
    root.innerHTML = `
<style>${PANEL_CSS}</style>
<div class="hw-root${this.config.position === "left" ? " hw-left" : ""}">
  <button type="button" class="hw-launcher" aria-expanded="false" aria-controls="hw-panel"
    aria-label="${escapeHtml(fill(NL.launcherOpen, { title }))}">
    ${CHAT_ICON}<span>${t}</span><span class="hw-badge" aria-hidden="true" hidden></span>
  </button>
  <div class="hw-live hw-sr" aria-live="polite" aria-atomic="true"></div>
  <section class="hw-panel" id="hw-panel" role="dialog" aria-modal="false" aria-labelledby="hw-title" hidden>
    <div class="hw-header">
      <h2 id="hw-title">${t}</h2>
      <button type="button" class="hw-new" title="${escapeHtml(NL.newConversationLabel)}">${escapeHtml(NL.newConversation)}</button>
      <button type="button" class="hw-close" aria-label="${escapeHtml(NL.closeLabel)}"><span aria-hidden="true">×</span></button>
    </div>
    <div class="hw-progress" role="progressbar" aria-label="${escapeHtml(NL.progressLabel)}" aria-valuemin="0" hidden>
      <span class="hw-progress-text"></span>
      <span class="hw-progress-track" aria-hidden="true"><span class="hw-progress-fill"></span></span>
    </div>
    <div class="hw-status" role="status" hidden></div>
    <div class="hw-confirm" role="alertdialog" aria-modal="false" aria-labelledby="hw-confirm-text" hidden>
      <p id="hw-confirm-text">${escapeHtml(fill(NL.newConversationQuestion, { days: this.config.retentionDays }))}</p>
      <div class="hw-confirm-actions">
        <button type="button" class="hw-confirm-delete">${escapeHtml(NL.newConversationDelete)}</button>
        <button type="button" class="hw-confirm-keep">${escapeHtml(NL.newConversationKeep)}</button>
        <button type="button" class="hw-confirm-cancel">${escapeHtml(NL.newConversationCancel)}</button>
      </div>
    </div>
  </section>
</div>`;
    this.rootEl = root.querySelector(".hw-root");
    this.launcher = root.querySelector(".hw-launcher");
    this.panel = root.querySelector(".hw-panel");
    this.live = root.querySelector(".hw-live");
    this.badge = root.querySelector(".hw-badge");
    this.status = root.querySelector(".hw-status");
    this.progress = root.querySelector(".hw-progress");
    this.confirm = root.querySelector(".hw-confirm");

    if (this.store.entries.length === 0) this.store.append(this.privacyNotice());
    this.chat = this.createChat();
    this.panel.appendChild(this.chat);

    this.launcher.addEventListener("click", () => this.setOpen(this.panel.hidden));
    root.querySelector(".hw-close").addEventListener("click", () => this.setOpen(false));
    root.querySelector(".hw-new").addEventListener("click", () => this.askNewConversation());
    root.querySelector(".hw-confirm-delete").addEventListener("click", () => this.deleteAndStartOver());
    root.querySelector(".hw-confirm-keep").addEventListener("click", () => this.newConversation());
    root.querySelector(".hw-confirm-cancel").addEventListener("click", () => this.hideConfirm(true));
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        if (!this.confirm.hidden) this.hideConfirm(true);
        else this.setOpen(false);
      } else if (event.key === "Tab" && this.isModal()) {
        this.trapTab(event);
      }
    });
    // A modal panel keeps the focus: anything focused outside it sends it back.
    this.doc.addEventListener("focusin", (event) => {
      if (this.isModal() && event.target !== this.host) this.focusFirst();
    });
    if (this.phone) {
      const onChange = () => this.applyModal();
      if (typeof this.phone.addEventListener === "function") this.phone.addEventListener("change", onChange);
      else if (typeof this.phone.addListener === "function") this.phone.addListener(onChange);
    }

    this.updateProgress();
    this.updateBadge();
    this.setOpen(this.store.open || this.config.startOpen, false);

    this.connection = new RasaConnection({
      serverUrl: this.config.serverUrl,
      socketPath: this.config.socketPath,
      ioFactory: io,
      getSessionId: () => this.store.sessionId,
      onSession: (id) => this.onSession(id),
      onBotMessage: (data) => this.onBotMessage(data),
      onStatus: (status) => this.onStatus(status),
    });
    this.connection.start();

    this.win.setInterval(() => this.expireIfOld(), EXPIRY_CHECK_MS);
    this.doc.addEventListener("visibilitychange", () => {
      if (!this.doc.hidden) this.expireIfOld();
    });
  }

  /** @returns {object} the first-message privacy notice as a transcript entry */
  privacyNotice() {
    return {
      role: "ai",
      notice: true,
      text: fill(NL.privacyText, { days: this.config.retentionDays }),
      buttons: [{ title: NL.privacyButton, payload: NL.deleteCommand }],
    };
  }

  /** @returns {HTMLElement} a configured <deep-chat> element */
  createChat() {
    const chat = this.doc.createElement("deep-chat");
    chat.setAttribute("aria-label", fill(NL.panelLabel, { title: this.config.title }));
    // deep-chat fetches a web font from a third party unless the element itself
    // has another font: set ours (privacy, and the demo's CSP forbids it anyway).
    chat.style.fontFamily = FONT_STACK;
    chat.chatStyle = {
      width: "100%",
      height: "100%",
      border: "none",
      backgroundColor: "#fbfcfc",
      fontSize: "15px",
      fontFamily: FONT_STACK,
    };
    chat.auxiliaryStyle = MESSAGE_CSS;
    installPlainUserText(this.win); // before deep-chat creates its renderer
    chat.history = toChatMessages(this.store.entries);
    chat.remarkable = { html: false };
    chat.displayLoadingBubble = true;
    chat.textInput = {
      characterLimit: MAX_MESSAGE_CHARS,
      placeholder: { text: NL.inputPlaceholder },
      styles: { text: { fontSize: INPUT_FONT_SIZE } },
    };
    chat.messageStyles = {
      default: {
        shared: { bubble: { maxWidth: "88%", lineHeight: "1.4" } },
        ai: { bubble: { backgroundColor: "#eef2f1", color: "#1d2624" } },
        user: { bubble: { backgroundColor: this.config.primaryColor, color: "#fff" } },
      },
      html: {
        shared: { bubble: { maxWidth: "88%", lineHeight: "1.4" } },
        ai: { bubble: { backgroundColor: "#eef2f1", color: "#1d2624" } },
      },
    };
    chat.errorMessages = { displayServiceErrorMessages: false, overrides: { default: NL.errorGeneric } };
    chat.htmlClassUtilities = {
      "hw-choice": { events: { click: (event) => this.onChoice(event, true) } },
      "hw-action": { events: { click: (event) => this.onChoice(event, false) } },
    };
    chat.connect = {
      websocket: true,
      handler: (_body, signals) => {
        this.signals = signals;
        signals.newUserMessage.listener = (body) => this.onUserSubmit(body);
        signals.onOpen();
      },
    };
    chat.onComponentRender = () => this.labelInput();
    return chat;
  }

  /** Give deep-chat's input and send button Dutch accessible names. */
  labelInput() {
    const inner = this.chat && this.chat.shadowRoot;
    if (!inner) return;
    const input = inner.querySelector("#text-input");
    if (input) {
      input.setAttribute("aria-label", fill(NL.inputLabel, { title: this.config.title }));
      input.setAttribute("role", "textbox");
      input.setAttribute("aria-multiline", "true");
    }
    const send = inner.querySelector(".input-button");
    if (send) {
      send.setAttribute("role", "button");
      send.setAttribute("aria-label", NL.sendLabel);
      send.setAttribute("tabindex", "0");
      if (!send.dataset.hwKeys) {
        send.dataset.hwKeys = "1";
        send.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            send.click();
          }
        });
      }
    }
    const messages = inner.querySelector("#messages");
    if (messages) {
      messages.setAttribute("role", "log");
      messages.setAttribute("aria-label", fill(NL.panelLabel, { title: this.config.title }));
    }
  }

  /**
   * @param {boolean} open show or hide the panel
   * @param {boolean} focus move keyboard focus accordingly
   */
  setOpen(open, focus = true) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.rootEl.classList.toggle("hw-open", open);
    if (this.store.open !== open) this.store.open = open;
    if (open && this.store.unread) this.store.unread = 0;
    this.updateBadge();
    this.applyModal();
    if (!focus) return;
    if (open) {
      this.win.setTimeout(() => {
        this.labelInput();
        if (this.chat.focusInput) this.chat.focusInput();
      }, 50);
    } else {
      this.launcher.focus();
    }
  }

  /** @returns {boolean} whether the panel is open as a full-screen modal dialog */
  isModal() {
    return !this.panel.hidden && !!this.phone && this.phone.matches;
  }

  /** Full screen on a phone is modal: aria-modal, and the page behind stays put. */
  applyModal() {
    const modal = this.isModal();
    this.panel.setAttribute("aria-modal", String(modal));
    if (modal) this.lockScroll();
    else this.unlockScroll();
  }

  /** Keep the page behind the modal panel from scrolling (iOS included). */
  lockScroll() {
    if (this.scrollLock) return;
    const body = this.doc.body;
    const html = this.doc.documentElement;
    const y = this.win.scrollY || 0;
    this.scrollLock = {
      y,
      styles: {
        htmlOverflow: html.style.overflow,
        overflow: body.style.overflow,
        position: body.style.position,
        top: body.style.top,
        width: body.style.width,
      },
    };
    html.style.overflow = "hidden";
    body.style.overflow = "hidden";
    body.style.position = "fixed";
    body.style.top = `-${y}px`;
    body.style.width = "100%";
  }

  /** Give the page its scrolling back, at the place it was. */
  unlockScroll() {
    const lock = this.scrollLock;
    if (!lock) return;
    this.scrollLock = null;
    const body = this.doc.body;
    this.doc.documentElement.style.overflow = lock.styles.htmlOverflow;
    body.style.overflow = lock.styles.overflow;
    body.style.position = lock.styles.position;
    body.style.top = lock.styles.top;
    body.style.width = lock.styles.width;
    this.win.scrollTo(0, lock.y);
  }

  /** @returns {HTMLElement[]} what Tab can reach in the open panel, in order */
  focusables() {
    const own = [...this.panel.querySelectorAll(FOCUSABLE)].filter((el) => el !== this.chat && isShown(el));
    const inner = this.chat.shadowRoot ? [...this.chat.shadowRoot.querySelectorAll(FOCUSABLE)].filter(isShown) : [];
    return [...own, ...inner];
  }

  /** Move the focus to the first control of the panel. */
  focusFirst() {
    const first = this.focusables()[0];
    if (first) first.focus();
  }

  /**
   * Tab from the last control goes to the first, Shift+Tab from the first to the last.
   * @param {KeyboardEvent} event
   */
  trapTab(event) {
    const items = this.focusables();
    if (!items.length) return;
    const active = deepActiveElement(this.doc);
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (active === first || !items.includes(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !items.includes(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  /** Show how many bot messages arrived while the panel was closed. */
  updateBadge() {
    const count = this.store.unread;
    const { title } = this.config;
    let label = fill(NL.launcherOpen, { title });
    if (count) label += `, ${count === 1 ? NL.unreadOne : fill(NL.unreadMany, { count })}`;
    this.launcher.setAttribute("aria-label", label);
    this.badge.hidden = !count;
    this.badge.textContent = count ? String(count) : "";
  }

  /**
   * deep-chat hands us what the user submitted (typed text or a button title).
   * @param {any} body {messages: [{role, text}]} from deep-chat
   */
  onUserSubmit(body) {
    const message = body && Array.isArray(body.messages) ? body.messages[body.messages.length - 1] : body;
    const text = message && typeof message.text === "string" ? message.text : "";
    let payload = text;
    if (this.pendingChoice && this.pendingChoice.title === text) {
      payload = this.pendingChoice.payload;
    }
    this.pendingChoice = null;
    if (this.pendingDelete && payload !== NL.deleteCommand) this.pendingDelete = null;
    this.closeOpenChoices();
    this.store.append({ role: "user", text });
    this.host.dataset.awaiting = "true";
    this.connection.send(payload);
  }

  /** Every user message makes earlier answer buttons stale: disable them. */
  closeOpenChoices() {
    let changed = false;
    this.store.entries.forEach((entry) => {
      if (entry.role === "ai" && entry.buttons && !entry.notice && !entry.used) {
        entry.used = true;
        changed = true;
      }
    });
    if (changed) this.store.save();
    const inner = this.chat.shadowRoot;
    if (inner) inner.querySelectorAll(".hw-choice:not([disabled])").forEach((b) => b.setAttribute("disabled", ""));
  }

  /**
   * An answer button (or the privacy button) was pressed.
   * @param {Event} event click event
   * @param {boolean} isAnswer answer buttons disable; the privacy button stays
   */
  onChoice(event, isAnswer) {
    const button = event.target && event.target.closest ? event.target.closest("button") : null;
    if (!button || button.disabled) return;
    const { payload, title } = button.dataset;
    const index = Number(button.dataset.entry);
    if (isAnswer) {
      const entry = this.store.entries[index];
      if (entry) entry.chosen = payload;
      button.classList.add("hw-chosen");
      button.setAttribute("aria-pressed", "true");
      button.parentElement.querySelectorAll("button").forEach((b) => b.setAttribute("disabled", ""));
    }
    this.pendingChoice = { title, payload };
    this.chat.submitUserMessage({ text: title });
    this.chat.focusInput();
  }

  /** @param {object} data one bot_uttered payload */
  onBotMessage(data) {
    const { entries, deleteConversation } = fromBotUttered(data);
    if (deleteConversation) {
      this.forgetLocally();
      return;
    }
    entries.forEach((entry) => {
      const index = this.store.entries.length;
      this.store.append(entry);
      const response = { role: "ai", html: renderBotHtml(entry, index) };
      if (this.signals) this.signals.onResponse(response);
      else this.chat.addMessage(response);
      this.announce(announcement(entry, this.config.title));
      this.continueDeletion(entry, index);
    });
    if (entries.length) delete this.host.dataset.awaiting;
    if (entries.length && this.panel.hidden) {
      this.store.unread += entries.length;
      this.updateBadge();
    }
    this.labelInput();
    this.updateProgress();
  }

  /**
   * The server copy is gone (deleted, expired, or not there any more): wipe the
   * browser copy too, and say so.
   * @param {string} text what the person reads about it
   * @param {boolean} newSession ask the server for a new session (not when it has
   *   just given one)
   */
  forgetLocally(text = NL.deleted, newSession = true) {
    this.pendingDelete = null;
    this.pendingChoice = null;
    this.confirm.hidden = true;
    delete this.host.dataset.awaiting;
    this.store.reset();
    this.updateBadge();
    this.store.append({ role: "ai", text });
    this.store.append(this.privacyNotice());
    this.chat.clearMessages(true);
    toChatMessages(this.store.entries).forEach((m) => this.chat.addMessage(m));
    if (newSession) this.connection.restartSession();
    this.updateProgress();
    this.announce(text);
  }

  /**
   * The server confirmed a session. Another id than the stored one means the server
   * does not keep the stored conversation (any more): the browser copy goes too.
   * @param {string} id
   */
  onSession(id) {
    const had = this.store.sessionId;
    if (had && id !== had && this.store.entries.some((e) => e.role === "user")) {
      this.forgetLocally(NL.serverForgot, false);
    }
    this.store.adopt(id);
  }

  /** @returns {boolean} whether the browser copy was too old and has been wiped */
  expireIfOld() {
    if (!this.store.expired() || !this.store.entries.some((e) => e.role === "user")) return false;
    this.forgetLocally(fill(NL.expired, { days: this.config.retentionDays }));
    return true;
  }

  /** "Nieuw gesprek": first ask whether the old conversation should be deleted. */
  askNewConversation() {
    if (!this.store.entries.some((e) => e.role === "user")) {
      this.newConversation(); // nothing said yet: nothing to delete
      return;
    }
    this.confirm.hidden = false;
    this.confirm.querySelector(".hw-confirm-delete").focus();
  }

  /** @param {boolean} focusNew give the focus back to the "Nieuw gesprek" button */
  hideConfirm(focusNew = false) {
    this.confirm.hidden = true;
    if (focusNew) this.root.querySelector(".hw-new").focus();
  }

  /**
   * Delete the old conversation the way the person would: ask the bot, confirm with
   * its own button. The server deletes it under its lock and only then sends the
   * marker, which wipes this window and starts the new session (forgetLocally). If
   * the delete fails the bot says so and the old conversation stays.
   */
  deleteAndStartOver() {
    this.hideConfirm();
    this.pendingDelete = { until: Date.now() + DELETE_QUESTION_WAIT_MS };
    this.announce(NL.deletingOld);
    this.chat.submitUserMessage({ text: NL.deleteCommand });
  }

  /**
   * While "Nieuw gesprek" deletes: press the "yes" of the bot's delete question, once.
   * Any other question is left to the person.
   * @param {object} entry a bot message just shown
   * @param {number} index its place in the transcript
   */
  continueDeletion(entry, index) {
    if (!this.pendingDelete || !entry.buttons) return;
    const pending = this.pendingDelete;
    this.pendingDelete = null;
    const yes = entry.buttons.find((b) => b.payload === CONFIRM_DELETE);
    if (!yes || Date.now() > pending.until) return;
    this.win.setTimeout(() => this.pressButton(index, yes), AUTO_CONFIRM_DELAY_MS);
  }

  /**
   * Press an answer button of a shown message, as a click would.
   * @param {number} index the message's place in the transcript
   * @param {{title: string, payload: string}} button
   */
  pressButton(index, button) {
    const entry = this.store.entries[index];
    if (entry) entry.chosen = button.payload;
    const inner = this.chat.shadowRoot;
    if (inner) {
      inner.querySelectorAll(`.hw-choice[data-entry="${index}"]`).forEach((b) => {
        b.setAttribute("disabled", "");
        if (b.dataset.payload === button.payload) {
          b.classList.add("hw-chosen");
          b.setAttribute("aria-pressed", "true");
        }
      });
    }
    this.pendingChoice = { title: button.title, payload: button.payload };
    this.chat.submitUserMessage({ text: button.title });
  }

  /** "Nieuw gesprek" without deleting: new session, empty transcript, notice again. */
  newConversation() {
    this.hideConfirm();
    this.pendingDelete = null;
    this.store.reset();
    this.updateBadge();
    this.store.append(this.privacyNotice());
    this.pendingChoice = null;
    delete this.host.dataset.awaiting;
    this.chat.clearMessages(true);
    toChatMessages(this.store.entries).forEach((m) => this.chat.addMessage(m));
    this.connection.restartSession();
    this.updateProgress();
    this.announce(`${NL.newConversation}.`);
    this.chat.focusInput();
  }

  /** @param {"online"|"offline"} status */
  onStatus(status) {
    if (status === "offline") {
      this.status.textContent = fill(NL.offline, { title: this.config.title });
      this.status.hidden = false;
      this.host.dataset.connection = "offline";
      this.wasOffline = true;
    } else {
      this.status.hidden = true;
      this.status.textContent = "";
      this.host.dataset.connection = "online";
      if (this.wasOffline) this.announce(NL.reconnected);
      this.wasOffline = false;
    }
  }

  /** Show the latest question's progress (from the messages' data) in the header bar. */
  updateProgress() {
    const p = currentProgress(this.store.entries);
    this.progress.hidden = !p;
    if (!p) return;
    const label = fill(NL.progress, p);
    this.progress.querySelector(".hw-progress-text").textContent = label;
    this.progress.querySelector(".hw-progress-fill").style.width = `${Math.round((p.n / p.m) * 100)}%`;
    this.progress.setAttribute("aria-valuemax", String(p.m));
    this.progress.setAttribute("aria-valuenow", String(p.n));
    this.progress.setAttribute("aria-valuetext", label);
  }

  /** @param {string} text read out by screen readers (polite) */
  announce(text) {
    this.live.textContent = "";
    this.win.setTimeout(() => {
      this.live.textContent = text;
    }, 30);
  }
}
