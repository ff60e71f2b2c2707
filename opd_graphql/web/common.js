// What both boards share: reading a queue, drawing its rows, and the clock. Token
// numbers only: the queries ask for no patient data, so none ever reaches the screen.
"use strict";

const QUEUE_QUERY = `subscription Board($doctorId: ID!, $date: Date!) {
  queueUpdated(doctorId: $doctorId, date: $date) {
    date
    version
    doctor { id name department code room slots(date: $date) { start end closed } }
    nowServing { number source }
    entries { number status source skips estimatedCallAt slot { start end } }
    waitlist { number }
  }
}`;

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The page's settings: its data-* attributes, and ?lang= and ?voice= from its address. */
function boardConfig() {
  const data = document.body.dataset;
  const params = new URLSearchParams(window.location.search);
  const lang = params.get("lang") ?? "";
  return {
    ...data,
    dateFixed: data.dateFixed === "true",
    lang: /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(lang) ? lang : "en-IN",
    voice: params.get("voice")?.toLowerCase() !== "off",
  };
}

// ---- a queue, as a board reads it ----

// A bare room number or code ("4", "12B") is said as a room; anything longer as written.
function isRoomCode(room) {
  return /^[\w-]{1,8}$/.test(room) && /\d/.test(room) && !/^room/i.test(room);
}

function roomLabel(room) {
  if (!room) return null;
  return isRoomCode(room) ? `Room ${room}` : room;
}

/** What a board shows of a queue besides its rows. */
function summarize(queue) {
  const waiting = queue.entries.filter((entry) => entry.status !== "CALLED");
  const serving = queue.nowServing?.number ?? null;
  const slots = queue.doctor.slots ?? [];
  const open = slots.filter((slot) => !slot.closed);
  const ends = (open.length ? open : slots).map((slot) => Date.parse(slot.end));
  const lastEnd = Math.max(...ends);
  // Someone expected at or after the session's end is seen after it.
  const late =
    ends.length > 0 &&
    waiting.some((entry) => entry.estimatedCallAt && Date.parse(entry.estimatedCallAt) >= lastEnd);
  const noSession = open.length === 0 && waiting.length === 0 && !serving;
  return { waiting, serving, late, noSession };
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
  const arrived = entry.status === "CHECKED_IN";
  const row = element("li", arrived ? "entry arrived" : "entry");
  const id = element("span", "entry-id");
  id.append(element("span", "entry-number", entry.number));
  if (entry.source === "EMERGENCY") id.append(emergencyBadge());
  if (arrived) {
    const badge = element("span", "badge badge-arrived", "\u2713");
    badge.append(element("span", "badge-word", " Arrived"));
    id.append(badge);
  }
  const time = clockTime(entry.estimatedCallAt ?? entry.slot?.start);
  const when = element("span", time ? "entry-time" : "entry-time unknown", time ?? "--:--");
  row.append(id, when);
  return row;
}

// Long doctor codes make long numbers: shrink a big one until it fits its box.
function fitWidth(node) {
  node.style.fontSize = "";
  if (node.scrollWidth > node.clientWidth) {
    const size = parseFloat(getComputedStyle(node).fontSize);
    node.style.fontSize = `${Math.floor((size * node.clientWidth) / node.scrollWidth)}px`;
  }
}

// A row too narrow for its labels keeps only their marks (a tick for "arrived"); then if
// need be the numbers shrink, all by the same factor so the rows stay aligned.
function fitRows(list) {
  list.style.removeProperty("--fit");
  const excess = (row) => {
    const style = getComputedStyle(row);
    const room =
      row.clientWidth -
      parseFloat(style.paddingLeft) -
      parseFloat(style.paddingRight) -
      parseFloat(style.columnGap);
    const [id, time] = row.children;
    return id.offsetWidth + time.offsetWidth - room;
  };
  let fit = 1;
  for (const row of list.children) {
    row.classList.remove("compact");
    if (excess(row) > 0) row.classList.add("compact");
    const over = excess(row);
    const number = row.querySelector(".entry-number");
    if (over > 0) fit = Math.min(fit, (number.offsetWidth - over) / number.offsetWidth);
  }
  if (fit < 1) list.style.setProperty("--fit", (fit * 0.97).toFixed(3));
}

function flash(node) {
  node.classList.remove("changed");
  void node.offsetWidth; // restart the animation
  node.classList.add("changed");
}

// ---- the connection's state, and the hospital's clock ----

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
  $("date").textContent = longDate(config.date);
  const tick = () => {
    const now = hospitalNow(config.timezone);
    $("clock").textContent = now.time;
    // A board left on overnight moves to the new day by itself, unless pinned to a date.
    if (!config.dateFixed && now.date > config.date) window.location.reload();
  };
  tick();
  setInterval(tick, 1000);
}
