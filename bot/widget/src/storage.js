/**
 * Browser-side memory of the conversation: the session id the server issued (so
 * the server finds the same conversation again) and a local transcript (so the
 * widget can show earlier messages after a reload or on another page).
 *
 * The session id comes from the server (`session_confirm`), signed: the widget
 * never makes one up. Until the server has given one it is "" and the widget asks
 * for a new session.
 *
 * Both live in localStorage under one key per bot server, so they survive
 * reloads, navigation and closing the tab, and expire after the same retention
 * period as the server-side data, counted as the server counts it: from the last
 * message (opening or closing the panel does not count). Storage errors (private
 * mode, full quota) fall back to memory: the chat keeps working, it just forgets on
 * reload.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_ENTRIES = 300;

/**
 * When the conversation last had a message (older records: when last saved).
 * @param {{lastActivity?: number, updated: number}} record
 * @returns {number} ms
 */
function lastActivityOf(record) {
  return typeof record.lastActivity === "number" ? record.lastActivity : record.updated;
}
/** What a session id from the server may look like ("" = none yet). */
export const SESSION_ID = /^[A-Za-z0-9_.-]{0,128}$/;

/**
 * @param {unknown} value a session id from storage or the server
 * @returns {boolean} whether it is a plausible session id (or "")
 */
export function isSessionId(value) {
  return typeof value === "string" && SESSION_ID.test(value);
}

/**
 * @param {unknown} value a stored unread count
 * @returns {number} a whole number from 0 to 99
 */
function unreadCount(value) {
  return Number.isInteger(value) && value > 0 ? Math.min(value, 99) : 0;
}

/** In-memory stand-in for window.localStorage. */
export class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

/** Session id + transcript, stored as one JSON record. */
export class ConversationStore {
  /**
   * @param {{getItem: Function, setItem: Function, removeItem: Function}|null} storage
   * @param {string} namespace key prefix (one per bot server)
   * @param {number} retentionDays how long a quiet conversation is kept
   * @param {() => number} now clock (ms), injectable for tests
   */
  constructor(storage, namespace, retentionDays, now = () => Date.now()) {
    this.storage = storage || new MemoryStorage();
    this.fallback = new MemoryStorage();
    this.key = `hechtwijzer:${namespace}`;
    this.retentionMs = Math.max(1, retentionDays) * DAY_MS;
    this.now = now;
    this.record = this.load();
  }

  /** @returns {{sessionId: string, updated: number, entries: object[], open: boolean, unread: number}} */
  load() {
    let raw = null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      raw = this.fallback.getItem(this.key);
    }
    try {
      const rec = raw ? JSON.parse(raw) : null;
      if (
        rec &&
        isSessionId(rec.sessionId) &&
        Array.isArray(rec.entries) &&
        typeof rec.updated === "number" &&
        this.now() - lastActivityOf(rec) < this.retentionMs
      ) {
        return {
          sessionId: rec.sessionId,
          updated: rec.updated,
          lastActivity: lastActivityOf(rec),
          entries: rec.entries,
          open: !!rec.open,
          unread: unreadCount(rec.unread),
        };
      }
    } catch {
      /* damaged record: start afresh below */
    }
    return { sessionId: "", updated: this.now(), lastActivity: this.now(), entries: [], open: false, unread: 0 };
  }

  /**
   * Write the record. If the browser's quota is full, store a smaller copy
   * (older images dropped, then the older half of the messages); what is on
   * screen stays complete either way.
   * @returns {boolean} whether the full record was stored
   */
  save() {
    this.record.updated = this.now();
    if (this.record.entries.length > MAX_ENTRIES) {
      this.record.entries = this.record.entries.slice(-MAX_ENTRIES);
    }
    let entries = this.record.entries;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      try {
        this.storage.setItem(this.key, JSON.stringify({ ...this.record, entries }));
        return attempt === 0;
      } catch {
        if (attempt === 0) {
          const last = entries.length - 1;
          entries = entries.map((e, i) => (e.image && i !== last ? { ...e, image: null } : e));
        } else {
          entries = entries.slice(Math.ceil(entries.length / 2));
        }
      }
    }
    this.fallback.setItem(this.key, JSON.stringify(this.record));
    return false;
  }

  /** @returns {string} the session id the server issued ("" before it did) */
  get sessionId() {
    return this.record.sessionId;
  }

  /**
   * Keep the session id the server confirmed (it may differ from the one asked for).
   * @param {string} id
   */
  adopt(id) {
    if (!isSessionId(id) || id === this.record.sessionId) return;
    this.record.sessionId = id;
    this.save();
  }

  /** @returns {object[]} transcript entries, oldest first */
  get entries() {
    return this.record.entries;
  }

  /** @returns {boolean} whether the panel was open last time */
  get open() {
    return this.record.open;
  }

  /** @param {boolean} value remember whether the panel is open */
  set open(value) {
    this.record.open = !!value;
    this.save();
  }

  /** @returns {number} bot messages that arrived while the panel was closed */
  get unread() {
    return this.record.unread || 0;
  }

  /** @param {number} value how many bot messages are unread */
  set unread(value) {
    this.record.unread = unreadCount(value);
    this.save();
  }

  /**
   * @param {object} entry a transcript entry to append
   * @returns {boolean} whether it was stored in full
   */
  append(entry) {
    this.record.entries.push(entry);
    this.record.lastActivity = this.now();
    return this.save();
  }

  /** @returns {boolean} whether the last message is older than the retention period */
  expired() {
    return this.now() - lastActivityOf(this.record) >= this.retentionMs;
  }

  /** Forget the transcript and the session id (the server issues the next one). */
  reset() {
    this.record = {
      sessionId: "",
      updated: this.now(),
      lastActivity: this.now(),
      entries: [],
      open: this.record.open,
      unread: 0,
    };
    this.save();
    return this.record.sessionId;
  }
}
