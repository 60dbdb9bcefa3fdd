/**
 * Talks to Rasa's socket.io channel (Rasa 3.6 protocol, session_persistence on):
 * `session_request {session_id}` -> `session_confirm`, then `user_uttered
 * {message, session_id}` out and `bot_uttered` in. The server decides the session:
 * it confirms the id asked for only when it signed it itself, and otherwise issues
 * a new one, which the widget then keeps (`onSession`). Messages typed while the
 * connection is down are queued and sent once the session is confirmed again;
 * socket.io-client itself reconnects with backoff.
 */

export class RasaConnection {
  /**
   * @param {object} options
   * @param {string} options.serverUrl base URL of the Rasa server
   * @param {string} options.socketPath socket.io path, usually "/socket.io"
   * @param {Function} options.ioFactory socket.io-client's `io`
   * @param {() => string} options.getSessionId stored session id ("" for a new one)
   * @param {(id: string) => void} [options.onSession] the server confirmed this id
   * @param {(data: object) => void} options.onBotMessage called for every bot_uttered
   * @param {(status: "online"|"offline") => void} options.onStatus connection changes
   */
  constructor({ serverUrl, socketPath, ioFactory, getSessionId, onSession, onBotMessage, onStatus }) {
    this.serverUrl = serverUrl;
    this.socketPath = socketPath;
    this.ioFactory = ioFactory;
    this.getSessionId = getSessionId;
    this.onSession = onSession || (() => {});
    this.onBotMessage = onBotMessage;
    this.onStatus = onStatus;
    this.queue = [];
    this.confirmedId = null;
    this.awaitingConfirm = false;
    this.socket = null;
    this.status = "connecting";
    // Ids this connection asked for or was given before restartSession(): a late
    // confirmation of one of them must not bring a left session back.
    this.asked = new Set();
    this.left = new Set();
  }

  /** Open the socket and wire the protocol events. */
  start() {
    const socket = this.ioFactory(this.serverUrl, {
      path: this.socketPath,
      transports: ["websocket", "polling"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmedId = null;
      this.awaitingConfirm = true;
      const wanted = this.getSessionId() || null;
      if (wanted) this.asked.add(wanted);
      socket.emit("session_request", { session_id: wanted });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      // One confirmation per request: the answer to this connection's request.
      if (!this.awaitingConfirm || typeof id !== "string" || !id) return;
      // A session left by restartSession(), confirmed late: wait for the answer
      // to the request made after it.
      if (this.left.has(id)) return;
      this.asked.add(id);
      this.awaitingConfirm = false;
      this.confirmedId = id;
      this.onSession(id);
      this.setStatus("online");
      this.flush();
    });
    socket.on("bot_uttered", (data) => {
      if (data && typeof data === "object") this.onBotMessage(data);
    });
    socket.on("connect_error", () => this.lost());
    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") {
        this.confirmedId = null; // our own restartSession(): not an outage
        return;
      }
      this.lost();
      // The server closed us on purpose: socket.io will not retry by itself.
      if (reason === "io server disconnect") socket.connect();
    });
  }

  /** @param {"online"|"offline"} status */
  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.onStatus(status);
  }

  /** The connection dropped or could not be made. */
  lost() {
    this.confirmedId = null;
    this.awaitingConfirm = false;
    this.setStatus("offline");
  }

  /**
   * Send a user message (text or a button payload); queued while offline.
   * @param {string} message
   */
  send(message) {
    this.queue.push(message);
    this.flush();
  }

  /** Send queued messages if the session is confirmed. */
  flush() {
    const id = this.confirmedId;
    if (!this.socket || !this.socket.connected || !id) return;
    while (this.queue.length) {
      this.socket.emit("user_uttered", { message: this.queue.shift(), session_id: id });
    }
  }

  /** Start a new session (after "Nieuw gesprek" or a deletion): rejoin cleanly. */
  restartSession() {
    this.asked.forEach((id) => this.left.add(id));
    this.asked.clear();
    this.queue = [];
    this.confirmedId = null;
    this.awaitingConfirm = false;
    if (!this.socket) return;
    // Reconnecting leaves the old session's room, so its messages stop arriving.
    this.socket.disconnect();
    this.socket.connect();
  }
}
