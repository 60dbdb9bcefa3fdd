/**
 * Talks to Rasa's socket.io channel (Rasa 3.6 protocol, session_persistence on):
 * `session_request {session_id}` -> `session_confirm`, then `user_uttered
 * {message, session_id}` out and `bot_uttered` in. Messages typed while the
 * connection is down are queued and sent once the session is confirmed again;
 * socket.io-client itself reconnects with backoff.
 */

export class RasaConnection {
  /**
   * @param {object} options
   * @param {string} options.serverUrl base URL of the Rasa server
   * @param {string} options.socketPath socket.io path, usually "/socket.io"
   * @param {Function} options.ioFactory socket.io-client's `io`
   * @param {() => string} options.getSessionId current session id
   * @param {(data: object) => void} options.onBotMessage called for every bot_uttered
   * @param {(status: "online"|"offline") => void} options.onStatus connection changes
   */
  constructor({ serverUrl, socketPath, ioFactory, getSessionId, onBotMessage, onStatus }) {
    this.serverUrl = serverUrl;
    this.socketPath = socketPath;
    this.ioFactory = ioFactory;
    this.getSessionId = getSessionId;
    this.onBotMessage = onBotMessage;
    this.onStatus = onStatus;
    this.queue = [];
    this.confirmedId = null;
    this.socket = null;
    this.status = "connecting";
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
      socket.emit("session_request", { session_id: this.getSessionId() });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (id !== this.getSessionId()) return;
      this.confirmedId = id;
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
    const id = this.getSessionId();
    if (!this.socket || !this.socket.connected || this.confirmedId !== id) return;
    while (this.queue.length) {
      this.socket.emit("user_uttered", { message: this.queue.shift(), session_id: id });
    }
  }

  /** Switch to a new session id (after "Nieuw gesprek"): rejoin cleanly. */
  restartSession() {
    this.queue = [];
    this.confirmedId = null;
    if (!this.socket) return;
    // Reconnecting leaves the old session's room, so its messages stop arriving.
    this.socket.disconnect();
    this.socket.connect();
  }
}
