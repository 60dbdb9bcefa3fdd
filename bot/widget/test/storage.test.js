import assert from "node:assert/strict";
import { test } from "node:test";

import { ConversationStore, MAX_ENTRIES, MemoryStorage, isSessionId } from "../src/storage.js";

const DAY = 24 * 60 * 60 * 1000;
const SIGNED = `${"a".repeat(32)}.${"B".repeat(43)}`;

test("a new store has no session id: the server issues one", () => {
  const store = new ConversationStore(new MemoryStorage(), "http://bot", 30);
  assert.equal(store.sessionId, "");
});

test("the id the server confirmed is kept; junk is not", () => {
  const store = new ConversationStore(new MemoryStorage(), "http://bot", 30);
  store.adopt(SIGNED);
  assert.equal(store.sessionId, SIGNED);
  store.adopt("../../etc/passwd");
  store.adopt({ id: 1 });
  assert.equal(store.sessionId, SIGNED);
  assert.ok(isSessionId(SIGNED) && isSessionId("") && !isSessionId("a b"));
});

test("session id and transcript survive a new store on the same storage", () => {
  const storage = new MemoryStorage();
  const first = new ConversationStore(storage, "http://bot", 30);
  first.adopt(SIGNED);
  first.append({ role: "user", text: "hallo" });
  const second = new ConversationStore(storage, "http://bot", 30);
  assert.equal(second.sessionId, SIGNED);
  assert.deepEqual(second.entries, [{ role: "user", text: "hallo" }]);
});

test("different servers do not share a conversation", () => {
  const storage = new MemoryStorage();
  const a = new ConversationStore(storage, "http://a", 30);
  a.append({ role: "user", text: "x" });
  assert.deepEqual(new ConversationStore(storage, "http://b", 30).entries, []);
});

test("a conversation quiet for longer than the retention period is forgotten", () => {
  const storage = new MemoryStorage();
  let now = 1_000_000;
  const a = new ConversationStore(storage, "s", 30, () => now);
  a.adopt(SIGNED);
  a.append({ role: "user", text: "x" });
  now += 31 * DAY;
  const b = new ConversationStore(storage, "s", 30, () => now);
  assert.equal(b.sessionId, "");
  assert.deepEqual(b.entries, []);
});

test("reset forgets the session id and the transcript", () => {
  const store = new ConversationStore(new MemoryStorage(), "s", 30);
  store.adopt(SIGNED);
  store.append({ role: "user", text: "x" });
  assert.equal(store.reset(), "");
  assert.equal(store.sessionId, "");
  assert.deepEqual(store.entries, []);
});

test("a damaged record starts afresh instead of failing", () => {
  const storage = new MemoryStorage();
  storage.setItem("hechtwijzer:s", "{not json");
  assert.deepEqual(new ConversationStore(storage, "s", 30).entries, []);
  storage.setItem("hechtwijzer:s", JSON.stringify({ sessionId: "../../etc", updated: Date.now(), entries: [] }));
  assert.equal(new ConversationStore(storage, "s", 30).sessionId, "");
});

test("the transcript is capped", () => {
  const store = new ConversationStore(new MemoryStorage(), "s", 30);
  for (let i = 0; i < MAX_ENTRIES + 5; i += 1) store.append({ role: "user", text: String(i) });
  assert.equal(store.entries.length, MAX_ENTRIES);
  assert.equal(store.entries[0].text, "5");
});

test("a full quota sheds old images first and keeps the chat working", () => {
  class TinyStorage extends MemoryStorage {
    setItem(key, value) {
      if (value.length > 900) throw new Error("QuotaExceededError");
      super.setItem(key, value);
    }
  }
  const storage = new TinyStorage();
  const store = new ConversationStore(storage, "s", 30);
  const image = `data:image/png;base64,${"A".repeat(500)}`;
  assert.equal(store.append({ role: "ai", image }), true);
  assert.equal(store.append({ role: "ai", image }), false);
  let saved = JSON.parse(storage.getItem("hechtwijzer:s"));
  assert.equal(saved.entries[0].image, null);
  assert.equal(saved.entries[1].image, image);
  store.append({ role: "user", text: "na de afbeelding" });
  saved = JSON.parse(storage.getItem("hechtwijzer:s"));
  assert.equal(saved.entries.at(-1).text, "na de afbeelding");
  assert.equal(store.entries[0].image, image, "the screen copy keeps its images");
});

test("storage that throws on every call falls back to memory", () => {
  const broken = {
    getItem() {
      throw new Error("denied");
    },
    setItem() {
      throw new Error("denied");
    },
    removeItem() {},
  };
  const store = new ConversationStore(broken, "s", 30);
  store.append({ role: "user", text: "x" });
  assert.deepEqual(store.entries, [{ role: "user", text: "x" }]);
});

test("the copy expires a retention period after the last message, not after opening", () => {
  const storage = new MemoryStorage();
  let now = 1_000_000;
  const store = new ConversationStore(storage, "s", 30, () => now);
  store.adopt(SIGNED);
  store.append({ role: "user", text: "x" });
  now += 20 * DAY;
  store.open = true; // saved, but no message: does not count
  now += 9 * DAY;
  assert.equal(store.expired(), false);
  assert.deepEqual(new ConversationStore(storage, "s", 30, () => now).entries, [{ role: "user", text: "x" }]);
  now += 1 * DAY;
  assert.equal(store.expired(), true);
  assert.deepEqual(new ConversationStore(storage, "s", 30, () => now).entries, []);
  // A record written before the last message was kept apart counts from its last save.
  const old = { sessionId: SIGNED, updated: now - 2 * DAY, entries: [{ role: "user", text: "x" }] };
  storage.setItem("hechtwijzer:s", JSON.stringify(old));
  assert.equal(new ConversationStore(storage, "s", 30, () => now).expired(), false);
});

test("a new message starts the retention period again", () => {
  let now = 1_000_000;
  const store = new ConversationStore(new MemoryStorage(), "s", 30, () => now);
  store.append({ role: "user", text: "x" });
  now += 29 * DAY;
  store.append({ role: "ai", text: "y" });
  now += 29 * DAY;
  assert.equal(store.expired(), false);
});

test("the unread count is kept, bounded, and cleared by a new conversation", () => {
  const storage = new MemoryStorage();
  const store = new ConversationStore(storage, "http://bot", 30);
  store.append({ role: "ai", text: "hoi" });
  store.unread += 2;
  assert.equal(new ConversationStore(storage, "http://bot", 30).unread, 2);
  store.unread = 500;
  assert.equal(store.unread, 99);
  store.unread = -3;
  assert.equal(store.unread, 0);
  store.unread = 4;
  store.reset();
  assert.equal(new ConversationStore(storage, "http://bot", 30).unread, 0);
});
