// A graphql-transport-ws connection to /graphql carrying any number of operations,
// redialled when it drops, every operation still wanted sent again on the new socket.
"use strict";

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const ACK_WITHIN_MS = 10000; // from dialling
const PING_EVERY_MS = 15000;
const PONG_WITHIN_MS = 10000;

const CLOSE_REASONS = {
  4401: "This screen is not authorised: check its key.",
  4403: "This screen is not allowed to show the queue: check its key.",
};

class Connection {
  constructor({ url, connectionParams, onError, onState }) {
    Object.assign(this, { url, connectionParams, onError, onState });
    this.socket = null;
    this.acked = false;
    this.failures = 0;
    this.timers = new Set();
    this.operations = new Map(); // id -> { payload, onData, once }
    this.nextId = 1;
  }

  start() {
    this.connect();
    // Waking from sleep or regaining the network: no point waiting out a long backoff.
    window.addEventListener("online", () => this.redialSoon());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.redialSoon();
    });
  }

  /** Follow a subscription, or with `once` run a query until it is answered; gives its id. */
  subscribe(query, variables, onData, { once = false } = {}) {
    const id = String(this.nextId++);
    const operation = { payload: { query, variables }, onData, once };
    this.operations.set(id, operation);
    if (this.acked) this.send({ id, type: "subscribe", payload: operation.payload });
    return id;
  }

  unsubscribe(id) {
    if (this.operations.delete(id) && this.acked) this.send({ id, type: "complete" });
  }

  connect() {
    this.clearTimers();
    this.acked = false;
    const socket = new WebSocket(this.url, "graphql-transport-ws");
    this.socket = socket;
    // Covers a connect that hangs as well as an ack that never comes.
    this.after(ACK_WITHIN_MS, () => this.drop());
    socket.onopen = () => this.send({ type: "connection_init", payload: this.connectionParams });
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      const reason = CLOSE_REASONS[event.code];
      if (reason) this.onError(reason);
      this.socket = null;
      this.retry();
    };
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return this.drop();
    }
    const operation = this.operations.get(message.id);
    switch (message.type) {
      case "connection_ack":
        this.clearTimers();
        this.acked = true;
        for (const [id, { payload }] of this.operations) this.send({ id, type: "subscribe", payload });
        this.heartbeat();
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        this.awaitingPong = false;
        break;
      case "next":
        if (operation) this.next(operation, message.payload ?? {});
        break;
      case "error":
        if (!operation) break;
        this.onError(messagesOf(message.payload));
        this.drop();
        break;
      case "complete":
        if (operation?.once) this.operations.delete(message.id);
        else if (operation) this.drop();
        break;
    }
  }

  next(operation, { data, errors }) {
    if (errors?.length) this.onError(messagesOf(errors));
    if (data) {
      this.failures = 0;
      this.onState("live");
      operation.onData(data);
    } else {
      this.drop();
    }
  }

  // A socket can die without a close event (a TV losing Wi-Fi): ping, and give up on silence.
  heartbeat() {
    const beat = () => {
      this.awaitingPong = true;
      this.send({ type: "ping" });
      this.after(PONG_WITHIN_MS, () => {
        if (this.awaitingPong) this.drop();
        else this.after(PING_EVERY_MS, beat);
      });
    };
    this.after(PING_EVERY_MS, beat);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Let go of the current socket at once and dial again after a backoff. */
  drop() {
    const socket = this.socket;
    this.socket = null;
    this.acked = false;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onopen = null;
      socket.close();
    }
    this.retry();
  }

  retry() {
    this.clearTimers();
    this.acked = false;
    this.failures += 1;
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.onState(this.failures > 3 ? "offline" : "reconnecting");
    this.after(delay, () => this.connect());
  }

  redialSoon() {
    if (this.socket) return;
    this.failures = Math.min(this.failures, 1);
    this.clearTimers();
    this.after(250, () => this.connect());
  }

  after(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  clearTimers() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function messagesOf(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  return list.map((error) => error?.message ?? "Something went wrong.").join(" ");
}

/** The connection a board's page dials: same host, with the screen's ?key= if it has one. */
function connectionOptions(onState) {
  const key = new URLSearchParams(window.location.search).get("key");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return {
    url: `${scheme}//${window.location.host}/graphql`,
    connectionParams: key ? { Authorization: `Bearer ${key}` } : {},
    onError: showNotice,
    onState,
  };
}

/** One query over HTTP, a request of its own: a subscription's connection shares its reads
 * between its operations, and this must read the day afresh. Resolves to its data, or null. */
async function ask(query, variables) {
  const key = new URLSearchParams(window.location.search).get("key");
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()).data ?? null;
  } catch {
    return null; // the live connection shows the server's state; this asks again later
  }
}
