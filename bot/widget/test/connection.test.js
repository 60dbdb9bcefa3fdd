import assert from "node:assert/strict";
import { test } from "node:test";

import { RasaConnection } from "../src/connection.js";

/** A socket.io client double: records emits, lets the test fire events. */
class FakeSocket {
  constructor() {
    this.handlers = {};
    this.emitted = [];
    this.connected = false;
    this.connectCalls = 0;
  }
  on(event, fn) {
    this.handlers[event] = fn;
  }
  emit(event, data) {
    this.emitted.push([event, data]);
  }
  fire(event, ...args) {
    if (event === "connect") this.connected = true;
    if (event === "disconnect" || event === "connect_error") this.connected = false;
    this.handlers[event](...args);
  }
  disconnect() {
    this.connected = false;
    this.fire("disconnect", "io client disconnect");
  }
  connect() {
    this.connectCalls += 1;
  }
}

function setup(stored = "abc123abc123") {
  const socket = new FakeSocket();
  const calls = { opts: null, status: [], bot: [], sessions: [] };
  let sessionId = stored;
  const conn = new RasaConnection({
    serverUrl: "http://bot",
    socketPath: "/socket.io",
    ioFactory: (url, opts) => {
      calls.opts = [url, opts];
      return socket;
    },
    getSessionId: () => sessionId,
    onSession: (id) => {
      calls.sessions.push(id);
      sessionId = id;
    },
    onBotMessage: (d) => calls.bot.push(d),
    onStatus: (s) => calls.status.push(s),
  });
  conn.start();
  return { socket, calls, conn, setSession: (id) => (sessionId = id) };
}

test("connects with the socket path and asks for the stored session", () => {
  const { socket, calls } = setup();
  assert.equal(calls.opts[0], "http://bot");
  assert.equal(calls.opts[1].path, "/socket.io");
  socket.fire("connect");
  assert.deepEqual(socket.emitted, [["session_request", { session_id: "abc123abc123" }]]);
});

test("messages wait for session_confirm, then go out in order", () => {
  const { socket, conn, calls } = setup();
  conn.send("hallo");
  socket.fire("connect");
  conn.send("tweede");
  assert.equal(socket.emitted.filter(([e]) => e === "user_uttered").length, 0);
  socket.fire("session_confirm", "abc123abc123");
  assert.deepEqual(socket.emitted.slice(1), [
    ["user_uttered", { message: "hallo", session_id: "abc123abc123" }],
    ["user_uttered", { message: "tweede", session_id: "abc123abc123" }],
  ]);
  assert.deepEqual(calls.status, ["online"]);
});

test("offline: status goes offline, typed messages are kept and sent after reconnect", () => {
  const { socket, conn, calls } = setup();
  socket.fire("connect");
  socket.fire("session_confirm", "abc123abc123");
  socket.fire("disconnect", "transport close");
  assert.deepEqual(calls.status, ["online", "offline"]);
  conn.send("tijdens storing");
  assert.equal(socket.emitted.filter(([e]) => e === "user_uttered").length, 0);
  socket.fire("connect");
  socket.fire("session_confirm", "abc123abc123");
  assert.deepEqual(socket.emitted.at(-1), ["user_uttered", { message: "tijdens storing", session_id: "abc123abc123" }]);
  assert.deepEqual(calls.status, ["online", "offline", "online"]);
});

test("a server-side disconnect triggers a manual reconnect", () => {
  const { socket } = setup();
  socket.fire("connect");
  socket.fire("disconnect", "io server disconnect");
  assert.equal(socket.connectCalls, 1);
});

test("bot_uttered objects are passed on, junk is ignored", () => {
  const { socket, calls } = setup();
  socket.fire("bot_uttered", { text: "hoi" });
  socket.fire("bot_uttered", "string");
  assert.deepEqual(calls.bot, [{ text: "hoi" }]);
});

test("restartSession asks for a new session without an offline notice", () => {
  const { socket, conn, calls, setSession } = setup();
  socket.fire("connect");
  socket.fire("session_confirm", "abc123abc123");
  setSession(""); // the store forgot the old id
  conn.restartSession();
  assert.equal(socket.connectCalls, 1);
  assert.deepEqual(calls.status, ["online"]);
  conn.send("x");
  assert.notEqual(socket.emitted.at(-1)[0], "user_uttered");
  socket.fire("connect");
  assert.deepEqual(socket.emitted.at(-1), ["session_request", { session_id: null }]);
  socket.fire("session_confirm", "newnewnewnew.signed");
  assert.deepEqual(socket.emitted.at(-1), ["user_uttered", { message: "x", session_id: "newnewnewnew.signed" }]);
  assert.deepEqual(calls.sessions, ["abc123abc123", "newnewnewnew.signed"]);
});

test("the id the server issues replaces the stored one; later confirms change nothing", () => {
  const { socket, conn, calls } = setup("forged-or-old-id");
  socket.fire("connect");
  assert.deepEqual(socket.emitted.at(-1), ["session_request", { session_id: "forged-or-old-id" }]);
  socket.fire("session_confirm", "fresh.signed");
  assert.deepEqual(calls.sessions, ["fresh.signed"]);
  socket.fire("session_confirm", "someone-else.signed"); // nothing was asked
  assert.deepEqual(calls.sessions, ["fresh.signed"]);
  conn.send("hallo");
  assert.deepEqual(socket.emitted.at(-1), ["user_uttered", { message: "hallo", session_id: "fresh.signed" }]);
});

test("no confirm before a request: nothing is sent", () => {
  const { socket, conn, calls } = setup();
  socket.connected = true;
  socket.fire("session_confirm", "pushed.signed");
  conn.send("hallo");
  assert.equal(socket.emitted.filter(([e]) => e === "user_uttered").length, 0);
  assert.deepEqual(calls.sessions, []);
});

test("a late confirmation of a session left by restartSession is not taken", () => {
  const { socket, calls, conn, setSession } = setup();
  socket.fire("connect"); // asks for the stored session
  setSession(""); // the browser copy expired and was wiped
  conn.restartSession();
  socket.fire("connect"); // asks for a new session
  socket.fire("session_confirm", "abc123abc123"); // the old answer arrives late
  assert.deepEqual(calls.sessions, []);
  assert.equal(conn.confirmedId, null);
  socket.fire("session_confirm", "def456def456"); // the answer to the new request
  assert.deepEqual(calls.sessions, ["def456def456"]);
  assert.equal(conn.confirmedId, "def456def456");
});
