/**
 * Pure functions between Rasa's socket.io messages, the stored transcript and
 * the HTML the chat shows. No DOM access here, so they are unit-tested in Node.
 *
 * Transcript entry: {role: "ai"|"user", text?, buttons?: [{title, payload}],
 * image?, progress?: {n, m}, used?: boolean, chosen?: string, notice?: boolean}
 *
 * A question's progress comes as data (`metadata.progress: {number, total}` on the
 * bot message); the question's text, progress line included, is shown as sent.
 */
import { escapeHtml, plainText, renderMarkdown } from "./markdown.js";
import { NL, fill } from "./strings.js";

const SAFE_IMAGE = /^(data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+|https?:\/\/[^\s"'<>]+)$/;

/**
 * A question's progress from a bot message's metadata.
 * @param {unknown} metadata `bot_uttered`'s metadata ({progress: {number, total}})
 * @returns {{n: number, m: number}|null} null unless 1 <= number <= total
 */
export function readProgress(metadata) {
  const p = metadata && typeof metadata === "object" ? metadata.progress : null;
  if (!p || typeof p !== "object") return null;
  const n = p.number;
  const m = p.total;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || n > m) return null;
  return { n, m };
}

/**
 * @param {unknown} src image source from the bot
 * @returns {string|null} the source if it is a data: image or http(s) URL
 */
export function safeImage(src) {
  return typeof src === "string" && SAFE_IMAGE.test(src.trim()) ? src.trim().replace(/\s+/g, "") : null;
}

/**
 * @param {unknown} list quick_replies / buttons from the bot
 * @returns {{title: string, payload: string}[]}
 */
function normalizeButtons(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => b && typeof b === "object" && (typeof b.title === "string" || typeof b.payload === "string"))
    .map((b) => ({
      title: String(b.title ?? b.payload),
      payload: String(b.payload ?? b.title),
    }));
}

/**
 * Turn one `bot_uttered` payload into transcript entries and control signals.
 * @param {object} data what Rasa's socket.io channel emitted
 * @returns {{entries: object[], deleteConversation: boolean}}
 */
export function fromBotUttered(data) {
  const result = { entries: [], deleteConversation: false };
  if (!data || typeof data !== "object") return result;
  if (data.hechtwijzer === "delete_conversation") {
    result.deleteConversation = true;
    return result;
  }
  const entry = { role: "ai" };
  if (typeof data.text === "string" && data.text.trim() !== "") entry.text = data.text;
  const buttons = normalizeButtons(data.quick_replies || data.buttons);
  if (buttons.length) entry.buttons = buttons;
  const attachment = data.attachment;
  const image = safeImage(
    data.image ??
      (attachment && attachment.type === "image" && attachment.payload ? attachment.payload.src : undefined),
  );
  if (image) entry.image = image;
  const progress = readProgress(data.metadata);
  if (progress && entry.text) entry.progress = progress;
  if (entry.text || entry.buttons || entry.image) result.entries.push(entry);
  return result;
}

/**
 * The latest question progress in a transcript, or null once the questions are
 * over (a later bot message that is no question follows the last question).
 * @param {object[]} entries transcript
 * @returns {{n: number, m: number}|null}
 */
export function currentProgress(entries) {
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const e = entries[i];
    if (e.role !== "ai" || e.notice) continue;
    if (e.progress) return { n: e.progress.n, m: e.progress.m };
    // An image (the result picture) closes the questionnaire.
    if (e.image) return null;
  }
  return null;
}

/**
 * HTML for one bot entry (safe: every text goes through escapeHtml/markdown).
 * @param {object} entry transcript entry with role "ai"
 * @param {number} index its index in the transcript (identifies its buttons)
 * @returns {string}
 */
export function renderBotHtml(entry, index) {
  const parts = [];
  const text = entry.text || "";
  const progress = entry.progress;
  if (progress) {
    // The bar only; the progress line itself is part of the text.
    const pct = Math.round((progress.n / progress.m) * 100);
    parts.push(
      `<div class="hw-q-progress" aria-hidden="true"><span class="hw-q-track"><span class="hw-q-fill" style="width:${pct}%"></span></span></div>`,
    );
  }
  if (entry.notice) parts.push(`<p class="hw-notice-title"><strong>${escapeHtml(NL.privacyTitle)}</strong></p>`);
  if (text.trim()) parts.push(`<div class="hw-text">${renderMarkdown(text)}</div>`);
  if (entry.image) {
    parts.push(`<img class="hw-image" src="${escapeHtml(entry.image)}" alt="${escapeHtml(NL.imageAlt)}">`);
  }
  if (entry.buttons && entry.buttons.length) {
    const cls = entry.notice ? "hw-action" : "hw-choice";
    const buttons = entry.buttons
      .map((b) => {
        const chosen = entry.chosen === b.payload;
        const disabled = !entry.notice && entry.used ? " disabled" : "";
        return `<button type="button" class="${cls}${chosen ? " hw-chosen" : ""}" data-entry="${index}" data-payload="${escapeHtml(
          b.payload,
        )}" data-title="${escapeHtml(b.title)}"${entry.notice ? "" : ` aria-pressed="${chosen}"`}${disabled}>${escapeHtml(
          b.title,
        )}</button>`;
      })
      .join("");
    const label = entry.notice ? NL.privacyTitle : NL.choicesLabel;
    parts.push(`<div class="hw-choices" role="group" aria-label="${escapeHtml(label)}">${buttons}</div>`);
  }
  return parts.join("");
}

/**
 * What the aria-live region reads out for a new bot entry.
 * @param {object} entry transcript entry
 * @param {string} title bot title
 * @returns {string}
 */
export function announcement(entry, title) {
  const bits = [fill(NL.botSays, { title })];
  if (entry.text) bits.push(plainText(entry.text));
  if (entry.image) bits.push(` ${NL.imageAlt}.`);
  if (entry.buttons && entry.buttons.length && !entry.notice) {
    bits.push(` ${NL.choicesLabel}: ${entry.buttons.map((b) => b.title).join(", ")}.${NL.choicesAnnounce}`);
  }
  return bits.join("").trim();
}

/**
 * deep-chat message objects for a stored transcript (used after a reload).
 * @param {object[]} entries transcript
 * @returns {object[]}
 */
export function toChatMessages(entries) {
  return entries.map((entry, index) =>
    entry.role === "user" ? { role: "user", text: entry.text || "" } : { role: "ai", html: renderBotHtml(entry, index) },
  );
}
