/**
 * The widget: a launcher button and a chat panel in a shadow root, with
 * deep-chat as the message list + input and socket.io to Rasa.
 */
import "deep-chat";
import { io } from "socket.io-client";

import { RasaConnection } from "./connection.js";
import { escapeHtml } from "./markdown.js";
import { announcement, currentProgress, fromBotUttered, renderBotHtml, toChatMessages } from "./messages.js";
import { ConversationStore } from "./storage.js";
import { NL, fill } from "./strings.js";
import { MESSAGE_CSS, PANEL_CSS } from "./styles.js";

const MAX_MESSAGE_CHARS = 1500;
const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
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
  }

  /** Build the DOM, restore the conversation and connect. */
  mount() {
    const { title } = this.config;
    const host = this.doc.createElement("div");
    host.id = "hechtwijzer-widget";
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
    ${CHAT_ICON}<span>${t}</span>
  </button>
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
    <div class="hw-live hw-sr" aria-live="polite" aria-atomic="true"></div>
  </section>
</div>`;
    this.rootEl = root.querySelector(".hw-root");
    this.launcher = root.querySelector(".hw-launcher");
    this.panel = root.querySelector(".hw-panel");
    this.live = root.querySelector(".hw-live");
    this.status = root.querySelector(".hw-status");
    this.progress = root.querySelector(".hw-progress");

    if (this.store.entries.length === 0) this.store.append(this.privacyNotice());
    this.chat = this.createChat();
    this.panel.insertBefore(this.chat, this.live);

    this.launcher.addEventListener("click", () => this.setOpen(this.panel.hidden));
    root.querySelector(".hw-close").addEventListener("click", () => this.setOpen(false));
    root.querySelector(".hw-new").addEventListener("click", () => this.newConversation());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.setOpen(false);
      }
    });

    this.updateProgress();
    this.setOpen(this.store.open || this.config.startOpen, false);

    this.connection = new RasaConnection({
      serverUrl: this.config.serverUrl,
      socketPath: this.config.socketPath,
      ioFactory: io,
      getSessionId: () => this.store.sessionId,
      onSession: (id) => this.store.adopt(id),
      onBotMessage: (data) => this.onBotMessage(data),
      onStatus: (status) => this.onStatus(status),
    });
    this.connection.start();
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
    chat.history = toChatMessages(this.store.entries);
    chat.remarkable = { html: false, breaks: true, linkTarget: "_blank" };
    chat.displayLoadingBubble = true;
    chat.textInput = {
      characterLimit: MAX_MESSAGE_CHARS,
      placeholder: { text: NL.inputPlaceholder },
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
    });
    if (entries.length) delete this.host.dataset.awaiting;
    this.labelInput();
    this.updateProgress();
  }

  /** The server deleted this conversation: wipe the browser copy too. */
  forgetLocally() {
    this.store.reset();
    const done = { role: "ai", text: NL.deleted };
    this.store.append(done);
    this.store.append(this.privacyNotice());
    this.chat.clearMessages(true);
    toChatMessages(this.store.entries).forEach((m) => this.chat.addMessage(m));
    this.connection.restartSession();
    this.updateProgress();
    this.announce(NL.deleted);
  }

  /** "Nieuw gesprek": new session id, empty transcript, privacy notice again. */
  newConversation() {
    this.store.reset();
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

  /** Show the latest "Vraag N van M" in the header bar. */
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
