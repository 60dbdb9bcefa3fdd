/**
 * Minimal, safe markdown: everything is HTML-escaped first, then a small set of
 * markdown constructs (bold, italics, bullet and numbered lists, links) is turned
 * into tags. Nothing the bot or the user sends can ever become live HTML.
 */

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escape a string for use in HTML text and in double-quoted attributes.
 * @param {unknown} value any value; non-strings are converted with String()
 * @returns {string}
 */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const SAFE_URL = /^(https?:\/\/|mailto:|tel:)/i;

/**
 * Inline markdown on text that is already escaped.
 * @param {string} escaped escaped text of one line
 * @returns {string}
 */
function inline(escaped) {
  const links = [];
  const keep = (html) => {
    links.push(html);
    return `\u0000${links.length - 1}\u0000`;
  };
  let out = escaped.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, label, url) =>
    SAFE_URL.test(url)
      ? keep(`<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`)
      : whole,
  );
  out = out.replace(/\bhttps?:\/\/(?:(?!&quot;|&#39;|&lt;|&gt;)[^\s<])+/g, (found) => {
    const url = found.replace(/[.,;:!?)]+$/, "");
    const rest = found.slice(url.length);
    return keep(`<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`) + rest;
  });
  out = out
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/__(?=\S)([^_]*?\S)__/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, "$1<em>$2</em>")
    .replace(/(^|[^_\w])_(?=\S)([^_]*?\S)_(?![_\w])/g, "$1<em>$2</em>");
  return out.replace(/\u0000(\d+)\u0000/g, (whole, i) => links[Number(i)]);
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/**
 * Render a chat text as safe HTML.
 * Paragraphs are separated by blank lines; single newlines become <br>.
 * @param {string} text raw text from the bot or the user
 * @returns {string} HTML
 */
export function renderMarkdown(text) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let para = [];
  let list = null;
  const flushPara = () => {
    if (para.length) blocks.push(`<p>${para.map(inline).join("<br>")}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) blocks.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join("")}</${list.tag}>`);
    list = null;
  };
  for (const raw of lines) {
    const line = escapeHtml(raw);
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      flushPara();
      if (list && list.tag !== tag) flushList();
      if (!list) list = { tag, items: [] };
      list.items.push((bullet || numbered)[1]);
    } else if (line.trim() === "") {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return blocks.join("");
}

/**
 * HTML that shows a text exactly as typed: escaped, line breaks kept, no markdown.
 * Used for the person's own messages (what they type is never markup).
 * @param {string} text raw text
 * @returns {string} HTML
 */
export function plainTextHtml(text) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  return `<p>${lines.map(escapeHtml).join("<br>")}</p>`;
}

/**
 * Plain text of a chat message for screen readers (markdown marks removed).
 * @param {string} text raw text
 * @returns {string}
 */
export function plainText(text) {
  return String(text ?? "")
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, "$1")
    .replace(/\*\*|__/g, "")
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, "$1$2")
    .replace(/(^|[^_\w])_(?=\S)([^_]*?\S)_(?![_\w])/g, "$1$2")
    .replace(/\s+/g, " ")
    .trim();
}
