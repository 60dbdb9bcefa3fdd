import assert from "node:assert/strict";
import { test } from "node:test";

import {
  announcement,
  currentProgress,
  fromBotUttered,
  readProgress,
  renderBotHtml,
  safeImage,
  toChatMessages,
} from "../src/messages.js";

const PNG = "data:image/png;base64,iVBORw0KGgo=";

test("readProgress reads the progress data, never the text", () => {
  assert.deepEqual(readProgress({ progress: { number: 3, total: 14 } }), { n: 3, m: 14 });
  assert.equal(readProgress({ progress: { number: 15, total: 14 } }), null);
  assert.equal(readProgress({ progress: { number: 0, total: 14 } }), null);
  assert.equal(readProgress({ progress: { number: "3", total: 14 } }), null);
  assert.equal(readProgress({ progress: "Vraag 3 van 14" }), null);
  assert.equal(readProgress(undefined), null);
});

test("progress comes from metadata; a 'Vraag N van M' text alone has none", () => {
  const withData = fromBotUttered({ text: "Vraag 2 van 4\nHoe?", metadata: { progress: { number: 2, total: 4 } } });
  assert.deepEqual(withData.entries[0].progress, { n: 2, m: 4 });
  assert.equal(withData.entries[0].text, "Vraag 2 van 4\nHoe?", "the text is kept as sent");
  const textOnly = fromBotUttered({ text: "Vraag 2 van 4\nHoe?" });
  assert.equal(textOnly.entries[0].progress, undefined);
  const otherWords = fromBotUttered({ text: "Question two", metadata: { progress: { number: 2, total: 4 } } });
  assert.deepEqual(otherWords.entries[0].progress, { n: 2, m: 4 });
});

test("text with quick replies becomes one entry with buttons", () => {
  const { entries } = fromBotUttered({
    text: "Vraag 1 van 2\nHoe?",
    quick_replies: [{ content_type: "text", title: "Ja", payload: '/answer_question{"question_id":"q01","answer_value":"5"}' }],
  });
  assert.deepEqual(entries, [
    { role: "ai", text: "Vraag 1 van 2\nHoe?", buttons: [{ title: "Ja", payload: '/answer_question{"question_id":"q01","answer_value":"5"}' }] },
  ]);
});

test("image attachments are kept only when they are safe image URIs", () => {
  assert.equal(fromBotUttered({ attachment: { type: "image", payload: { src: PNG } } }).entries[0].image, PNG);
  assert.equal(safeImage("javascript:alert(1)"), null);
  assert.equal(safeImage("data:text/html;base64,PHNjcmlwdD4="), null);
  assert.deepEqual(fromBotUttered({ attachment: { type: "image", payload: { src: "javascript:x" } } }).entries, []);
});

test("the delete marker is a control signal, not a message", () => {
  assert.deepEqual(fromBotUttered({ hechtwijzer: "delete_conversation" }), { entries: [], deleteConversation: true });
});

test("empty or odd payloads produce nothing", () => {
  assert.deepEqual(fromBotUttered({ text: "  " }).entries, []);
  assert.deepEqual(fromBotUttered(null).entries, []);
  assert.deepEqual(fromBotUttered({ quick_replies: "nope" }).entries, []);
});

test("renderBotHtml escapes text, titles and payloads", () => {
  const html = renderBotHtml(
    { role: "ai", text: "<b>x</b>", buttons: [{ title: "<i>t</i>", payload: '/a{"q":"<x>"}' }] },
    4,
  );
  assert.ok(!html.includes("<b>"));
  assert.ok(!html.includes("<i>"));
  assert.ok(html.includes('data-payload="/a{&quot;q&quot;:&quot;&lt;x&gt;&quot;}"'));
  assert.ok(html.includes('data-entry="4"'));
});

test("renderBotHtml shows the progress bar from data and the whole text, and disables used buttons", () => {
  const entry = {
    role: "ai",
    text: "Vraag 2 van 4\nVraag?",
    progress: { n: 2, m: 4 },
    buttons: [{ title: "A", payload: "/a" }, { title: "B", payload: "/b" }],
    used: true,
    chosen: "/b",
  };
  const html = renderBotHtml(entry, 0);
  assert.ok(html.includes("<p>Vraag 2 van 4<br>Vraag?</p>"));
  assert.ok(html.includes("width:50%"));
  assert.ok(!renderBotHtml({ role: "ai", text: "Vraag 2 van 4\nVraag?" }, 0).includes("hw-q-progress"));
  assert.equal((html.match(/ disabled>/g) || []).length, 2);
  assert.ok(html.includes('class="hw-choice hw-chosen"'));
  assert.ok(html.includes('aria-pressed="true"'));
});

test("the privacy notice button stays usable", () => {
  const html = renderBotHtml({ role: "ai", notice: true, text: "x", buttons: [{ title: "Verwijder", payload: "verwijder mijn gegevens" }], used: true }, 0);
  assert.ok(html.includes('class="hw-action"'));
  assert.ok(!html.includes("disabled"));
});

test("renderBotHtml renders the image with Dutch alt text", () => {
  const html = renderBotHtml({ role: "ai", image: PNG }, 0);
  assert.ok(html.includes(`<img class="hw-image" src="${PNG}" alt="Afbeelding bij je uitkomst">`));
});

test("currentProgress follows the questions and ends at the result picture", () => {
  const q = (n) => ({ role: "ai", text: `Vraag ${n} van 3\nx`, progress: { n, m: 3 } });
  assert.deepEqual(currentProgress([q(1), { role: "user", text: "ja" }, q(2)]), { n: 2, m: 3 });
  assert.equal(currentProgress([q(3), { role: "ai", text: "Uitslag" }, { role: "ai", image: PNG }]), null);
  assert.equal(currentProgress([]), null);
  assert.equal(currentProgress([{ role: "ai", text: "Vraag 1 van 3\nx" }]), null, "no data, no progress");
});

test("announcement gives plain text and the choices", () => {
  const text = announcement({ role: "ai", text: "**Hoi**", buttons: [{ title: "Ja", payload: "/j" }, { title: "Nee", payload: "/n" }] }, "Hechtwijzer");
  assert.equal(text, "Hechtwijzer zegt: Hoi Kies een antwoord: Ja, Nee. Je kunt een knop kiezen of zelf typen.");
});

test("toChatMessages keeps user text as text and renders bot entries", () => {
  const msgs = toChatMessages([{ role: "user", text: "<img src=x>" }, { role: "ai", text: "**a**" }]);
  assert.deepEqual(msgs[0], { role: "user", text: "<img src=x>" });
  assert.equal(msgs[1].role, "ai");
  assert.ok(msgs[1].html.includes("<strong>a</strong>"));
});
