// The waiting-room board: follows one doctor-day's queue over the `queueUpdated`
// subscription (graphql-transport-ws) and redraws it. Token numbers only: the query
// asks for no patient data, so none ever reaches the screen.
"use strict";

const QUERY = `subscription Board($doctorId: ID!, $date: Date!) {
  queueUpdated(doctorId: $doctorId, date: $date) {
    date
    version
    doctor { name department code }
    nowServing { number source }
    entries { number status source estimatedCallAt slot { start end } }
    waitlist { number }
  }
}`;

const MAX_NEXT = 8;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const ACK_WITHIN_MS = 10000; // from dialling
const PING_EVERY_MS = 15000;
const PONG_WITHIN_MS = 10000;

const CLOSE_REASONS = {
  4401: "This screen is not authorised: check its key.",
  4403: "This screen is not allowed to show the queue: check its key.",
};

/** One graphql-transport-ws connection carrying one subscription, redialled when it drops. */
class Subscription {
  constructor({ url, connectionParams, query, variables, onData, onError, onState }) {
    Object.assign(this, { url, connectionParams, query, variables, onData, onError, onState });
    this.socket = null;
    this.failures = 0;
    this.timers = new Set();
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

  connect() {
    this.clearTimers();
    const socket = new WebSocket(this.url, "graphql-transport-ws");
    this.socket = socket;
    this.subscriptionId = String(this.nextId++);
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
    switch (message.type) {
      case "connection_ack":
        this.clearTimers();
        this.send({
          id: this.subscriptionId,
          type: "subscribe",
          payload: { query: this.query, variables: this.variables },
        });
        this.heartbeat();
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        this.awaitingPong = false;
        break;
      case "next":
        if (message.id === this.subscriptionId) this.next(message.payload ?? {});
        break;
      case "error":
        if (message.id !== this.subscriptionId) break;
        this.onError(messagesOf(message.payload));
        this.drop();
        break;
      case "complete":
        if (message.id === this.subscriptionId) this.drop();
        break;
    }
  }

  next({ data, errors }) {
    if (errors?.length) this.onError(messagesOf(errors));
    if (data) {
      this.failures = 0;
      this.onState("live");
      this.onData(data);
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
    if (socket) {
      socket.onclose = socket.onmessage = socket.onopen = null;
      socket.close();
    }
    this.retry();
  }

  retry() {
    this.clearTimers();
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

// ---- drawing ----

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The API gives times with the hospital's offset; show the hospital's clock time as written.
function clockTime(iso) {
  const match = /T(\d{2}):(\d{2})/.exec(iso ?? "");
  return match ? `${match[1]}:${match[2]}` : null;
}

function longDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

function emergencyBadge() {
  return element("span", "badge badge-emergency", "Emergency");
}

function entryRow(entry) {
  const row = element("li", "entry");
  const id = element("span", "entry-id");
  id.append(element("span", "entry-number", entry.number));
  if (entry.source === "EMERGENCY") id.append(emergencyBadge());
  const time = clockTime(entry.estimatedCallAt ?? entry.slot?.start);
  const when = element("span", time ? "entry-time" : "entry-time unknown", time ?? "--:--");
  row.append(id, when);
  return row;
}

// Long doctor codes make long numbers: shrink the big one until it fits its panel,
function fitWidth(node) {
  node.style.fontSize = "";
  if (node.scrollWidth > node.clientWidth) {
    const size = parseFloat(getComputedStyle(node).fontSize);
    node.style.fontSize = `${Math.floor((size * node.clientWidth) / node.scrollWidth)}px`;
  }
}

// and the listed ones all by the same factor, so the rows stay aligned.
function fitRows(list) {
  list.style.removeProperty("--fit");
  let fit = 1;
  for (const row of list.children) {
    const style = getComputedStyle(row);
    const room =
      row.clientWidth -
      parseFloat(style.paddingLeft) -
      parseFloat(style.paddingRight) -
      parseFloat(style.columnGap);
    const [id, time] = row.children;
    const excess = id.offsetWidth + time.offsetWidth - room;
    const number = id.firstElementChild;
    if (excess > 0) fit = Math.min(fit, (number.offsetWidth - excess) / number.offsetWidth);
  }
  if (fit < 1) list.style.setProperty("--fit", (fit * 0.97).toFixed(3));
}

function fitAll() {
  fitWidth($("now-number"));
  fitRows($("next-list"));
}

let shownServing = null;

function draw(queue) {
  const { doctor, nowServing, entries, waitlist } = queue;
  $("doctor-name").textContent = doctor.name;
  $("department").textContent = doctor.department;
  $("date").textContent = longDate(queue.date);
  document.title = `${doctor.name} · Outpatient queue`;

  const waiting = entries.filter((entry) => entry.status !== "CALLED");
  const serving = nowServing?.number ?? null;
  const number = $("now-number");
  number.textContent = serving ?? "\u2014";
  number.classList.toggle("idle", !serving);
  const note = $("now-note");
  note.replaceChildren();
  if (nowServing?.source === "EMERGENCY") note.append(emergencyBadge());
  else note.textContent = serving ? "Please go to the consultation room" : "Please wait to be called";
  if (serving && serving !== shownServing) flash($("now"));
  shownServing = serving;

  $("next-list").replaceChildren(...waiting.slice(0, MAX_NEXT).map(entryRow));
  $("next-list").hidden = waiting.length === 0;
  fitAll();
  $("empty").hidden = waiting.length > 0;
  const more = waiting.length - MAX_NEXT;
  $("more").hidden = more <= 0;
  $("more").textContent = more > 0 ? `+${more} more in the queue` : "";
  $("waitlist-count").textContent = String(waitlist.length);
  document.body.dataset.version = String(queue.version);
}

function flash(node) {
  node.classList.remove("changed");
  void node.offsetWidth; // restart the animation
  node.classList.add("changed");
}

const STATE_TEXT = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
  offline: "Offline, retrying",
};

function showState(state) {
  document.body.dataset.state = state;
  $("connection-text").textContent = STATE_TEXT[state];
}

function showNotice(text) {
  $("notice").textContent = text ?? "";
  $("notice").hidden = !text;
}

// ---- the hospital's clock, and the day rolling over ----

function hospitalNow(timeZone) {
  const options = {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  };
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-GB", options).formatToParts(new Date());
  } catch {
    parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: undefined }).formatToParts(
      new Date(),
    );
  }
  const part = Object.fromEntries(parts.map(({ type, value }) => [type, value]));
  return { date: `${part.year}-${part.month}-${part.day}`, time: `${part.hour}:${part.minute}` };
}

function keepTime(config) {
  const tick = () => {
    const now = hospitalNow(config.timezone);
    $("clock").textContent = now.time;
    // A board left on overnight moves to the new day by itself, unless pinned to a date.
    if (!config.dateFixed && now.date > config.date) window.location.reload();
  };
  tick();
  setInterval(tick, 1000);
}

// ---- start ----

function start() {
  const data = document.body.dataset;
  const params = new URLSearchParams(window.location.search);
  const key = params.get("key");
  const config = {
    doctorId: data.doctorId,
    date: data.date,
    dateFixed: data.dateFixed === "true",
    timezone: data.timezone,
  };
  $("date").textContent = longDate(config.date);
  keepTime(config);

  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const feed = new Subscription({
    url: `${scheme}//${window.location.host}/graphql`,
    connectionParams: key ? { Authorization: `Bearer ${key}` } : {},
    query: QUERY,
    variables: { doctorId: config.doctorId, date: config.date },
    onData: (result) => {
      if (!result.queueUpdated) return;
      showNotice(null);
      draw(result.queueUpdated);
    },
    onError: showNotice,
    onState: showState,
  });
  feed.start();
  window.addEventListener("resize", fitAll);
}

start();
