import assert from "node:assert/strict";
import { test } from "node:test";

import { escapeHtml, plainText, plainTextHtml, renderMarkdown } from "../src/markdown.js";

test("escapeHtml escapes every HTML-significant character", () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
});

test("raw HTML from the bot is shown as text, never as tags", () => {
  const html = renderMarkdown("<img src=x onerror=alert(1)> en <script>alert(2)</script>");
  assert.ok(!html.includes("<img"));
  assert.ok(!html.includes("<script"));
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
});

test("bold, italics and paragraphs", () => {
  assert.equal(renderMarkdown("**vet** en *schuin* en _ook_"), "<p><strong>vet</strong> en <em>schuin</em> en <em>ook</em></p>");
  assert.equal(renderMarkdown("een\ntwee\n\ndrie"), "<p>een<br>twee</p><p>drie</p>");
});

test("underscores inside words are not italics", () => {
  assert.equal(renderMarkdown("answer_question_id"), "<p>answer_question_id</p>");
});

test("bullet and numbered lists", () => {
  assert.equal(renderMarkdown("Lijst:\n- een\n- **twee**"), "<p>Lijst:</p><ul><li>een</li><li><strong>twee</strong></li></ul>");
  assert.equal(renderMarkdown("1. eerst\n2. dan"), "<ol><li>eerst</li><li>dan</li></ol>");
});

test("links: safe schemes become anchors, javascript: does not", () => {
  const ok = renderMarkdown("[Lees meer](https://example.org/a?b=1&c=2)");
  assert.equal(ok, '<p><a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">Lees meer</a></p>');
  const bad = renderMarkdown("[klik](javascript:alert(1))");
  assert.ok(!bad.includes("<a "));
  assert.ok(bad.includes("[klik](javascript:alert(1))"));
});

test("bare URLs are linked without swallowing punctuation or quotes", () => {
  assert.equal(
    renderMarkdown('Zie "https://example.org/x".'),
    '<p>Zie &quot;<a href="https://example.org/x" target="_blank" rel="noopener noreferrer">https://example.org/x</a>&quot;.</p>',
  );
});

test("an attribute cannot be broken out of through a link", () => {
  const html = renderMarkdown('[x](https://a.nl/"onmouseover="alert(1))');
  assert.ok(!/href="[^"]*"onmouseover/.test(html));
});

test("plainText drops markdown marks for screen readers", () => {
  assert.equal(plainText("**Hoi** *jij*, zie [hier](https://a.nl)\nklaar"), "Hoi jij, zie hier klaar");
});

test("plainTextHtml shows typed text as it is: no links, tags or emphasis", () => {
  assert.equal(plainTextHtml("[klik](javascript:alert(1))"), "<p>[klik](javascript:alert(1))</p>");
  assert.equal(plainTextHtml("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
  assert.equal(plainTextHtml("**a** https://x.nl\n- b"), "<p>**a** https://x.nl<br>- b</p>");
});
