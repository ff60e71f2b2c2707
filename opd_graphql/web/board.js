// One doctor's board: follows the doctor-day's queue over the `queueUpdated` subscription
// and redraws it, calling each newly called number aloud.
"use strict";

const MAX_NEXT = 8;
// A new room or name, or a slot closed with nobody in it, changes no queue, so no queue
// update brings it: the board asks.
const DOCTOR_QUERY = `query Doctor($doctorId: ID!, $date: Date!) {
  doctor(id: $doctorId) { id name department code room slots(date: $date) { start end closed } }
}`;
const DOCTOR_EVERY_MS = 60000;

function fitAll() {
  fitWidth($("now-number"));
  fitWidth($("now-room"));
  fitRows($("next-list"));
}

function drawNow(queue, serving, room, noSession) {
  const number = $("now-number");
  number.textContent = serving ?? "\u2014";
  number.classList.toggle("idle", !serving);
  const label = roomLabel(room);
  $("now-room").hidden = !(serving && label);
  $("now-room").textContent = serving && label ? `\u2192 ${label}` : "";
  const note = $("now-note");
  note.replaceChildren();
  if (queue.nowServing?.source === "EMERGENCY") note.append(emergencyBadge());
  else if (serving) note.textContent = label ? "" : "Please go to the consultation room";
  else note.textContent = noSession ? "" : "Please wait to be called";
}

function draw(queue, announcer) {
  const { doctor, waitlist } = queue;
  const { waiting, serving, late, noSession } = summarize(queue);
  $("doctor-name").textContent = doctor.name;
  $("department").textContent = doctor.department;
  $("doctor-room").hidden = !doctor.room;
  $("doctor-room").textContent = roomLabel(doctor.room) ?? "";
  $("date").textContent = longDate(queue.date);
  document.title = `${doctor.name} · Outpatient queue`;

  const before = $("now-number").textContent;
  drawNow(queue, serving, doctor.room, noSession);
  if (serving && serving !== before) flash($("now"));
  announcer.observe(doctor.id, serving, doctor.room);

  $("day-status").hidden = !late;
  $("day-status").textContent = late ? "Running late" : "";
  $("next-list").replaceChildren(...waiting.slice(0, MAX_NEXT).map(entryRow));
  $("next-list").hidden = waiting.length === 0;
  $("empty").hidden = waiting.length > 0;
  $("empty-title").textContent = noSession ? "No session today" : "No patients waiting";
  $("empty-note").textContent = noSession
    ? "This doctor is not seeing patients on this day"
    : "Tokens will appear here as they are issued";
  fitAll();
  const more = waiting.length - MAX_NEXT;
  $("more").hidden = more <= 0;
  $("more").textContent = more > 0 ? `+${more} more in the queue` : "";
  $("waitlist-count").textContent = String(waitlist.length);
  document.body.dataset.version = String(queue.version);
}

function start() {
  const config = boardConfig();
  keepTime(config);
  const announcer = new Announcer({ lang: config.lang, enabled: config.voice });
  const feed = new Connection(connectionOptions(showState));
  let shown = null; // the queue on the screen
  let received = 0; // queue messages so far: an answer older than the last one is dropped
  feed.subscribe(QUEUE_QUERY, { doctorId: config.doctorId, date: config.date }, (result) => {
    if (!result.queueUpdated) return;
    showNotice(null);
    received += 1;
    shown = result.queueUpdated;
    draw(shown, announcer);
  });
  setInterval(async () => {
    if (!shown) return;
    const before = received;
    const found = await ask(DOCTOR_QUERY, { doctorId: config.doctorId, date: config.date });
    if (!found?.doctor || received !== before) return;
    shown = { ...shown, doctor: { ...shown.doctor, ...found.doctor } };
    draw(shown, announcer);
  }, DOCTOR_EVERY_MS);
  feed.start();
  window.addEventListener("resize", fitAll);
}

start();
