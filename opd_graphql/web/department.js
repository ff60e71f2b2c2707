// A department's hall board: a desk for every active doctor of the department, each
// following its doctor's queue live, newly called numbers called aloud with the room.
"use strict";

const ROSTER_QUERY = `query Hall($name: String!) {
  department(name: $name) { name doctors { id name room active } }
}`;
const ROSTER_EVERY_MS = 60000; // doctors joining, leaving or moving rooms
const MAX_NEXT = 6;
const PER_CONNECTION = 16; // the server takes 20 operations on one connection
const STATES = ["offline", "reconnecting", "connecting", "live"]; // worst first

class Desk {
  constructor() {
    this.node = element("article", "desk");
    const body = element("div", "desk-body");
    const head = element("header", "desk-head");
    this.name = element("h2", "desk-name");
    this.room = element("p", "desk-room");
    head.append(this.name, this.room);
    const now = element("section", "desk-now");
    this.number = element("p", "desk-number idle", "\u2014");
    this.late = element("p", "status-chip", "Running late");
    this.late.hidden = true;
    now.append(element("p", "desk-label", "Now serving"), this.number, this.late);
    const next = element("section", "desk-next");
    this.list = element("ol", "desk-list");
    this.empty = element("p", "desk-empty");
    this.more = element("p", "desk-more");
    next.append(this.list, this.empty, this.more);
    body.append(head, now, next);
    this.node.append(body);
    this.waiting = 0;
  }

  show(doctor) {
    this.node.dataset.doctorId = doctor.id;
    this.name.textContent = doctor.name;
    this.room.textContent = roomLabel(doctor.room) ?? "";
    this.room.hidden = !doctor.room;
  }

  draw(queue, announcer) {
    this.show(queue.doctor);
    const { waiting, serving, late, noSession } = summarize(queue);
    if (serving && serving !== this.number.textContent) flash(this.node);
    this.number.textContent = serving ?? "\u2014";
    this.number.classList.toggle("idle", !serving);
    announcer.observe(queue.doctor.id, serving, queue.doctor.room);
    this.late.hidden = !late;
    this.list.replaceChildren(...waiting.slice(0, MAX_NEXT).map(entryRow));
    this.empty.hidden = waiting.length > 0;
    this.empty.textContent = noSession ? "No session today" : "No patients waiting";
    this.waiting = waiting.length;
    this.fit();
  }

  // As many rows as the desk has room for, and how many more there are.
  fit() {
    fitWidth(this.number);
    const rows = [...this.list.children];
    for (const row of rows) row.hidden = false;
    fitRows(this.list);
    const bottom = this.list.getBoundingClientRect().bottom + 1;
    const shown = rows.filter((row) => {
      row.hidden = row.getBoundingClientRect().bottom > bottom;
      return !row.hidden;
    }).length;
    const more = this.waiting - shown;
    this.more.textContent = more > 0 ? `+${more} more` : "";
  }
}

class Hall {
  constructor(config) {
    this.config = config;
    this.announcer = new Announcer({ lang: config.lang, enabled: config.voice });
    this.connections = [];
    this.states = new Map();
    this.desks = new Map(); // doctor id -> { desk, connection, operation }
    this.asking = false;
  }

  start() {
    keepTime(this.config);
    this.askRoster();
    setInterval(() => this.askRoster(), ROSTER_EVERY_MS);
    window.addEventListener("resize", () => this.fit());
  }

  askRoster() {
    if (this.asking) return; // still waiting for the last answer, across reconnects
    this.asking = true;
    const variables = { name: this.config.department };
    this.connectionWithRoom().subscribe(
      ROSTER_QUERY,
      variables,
      (data) => {
        this.asking = false;
        this.roster(data.department);
      },
      { once: true },
    );
  }

  connectionWithRoom() {
    let connection = this.connections.find((c) => c.operations.size < PER_CONNECTION);
    if (!connection) {
      connection = new Connection(connectionOptions((state) => this.showState(connection, state)));
      this.connections.push(connection);
      connection.start();
    }
    return connection;
  }

  showState(connection, state) {
    this.states.set(connection, state);
    const states = new Set(this.states.values());
    showState(STATES.find((s) => states.has(s)));
  }

  roster(department) {
    if (!department) {
      showNotice(`There is no department called ${this.config.department} any more.`);
      return;
    }
    $("hall-name").textContent = department.name;
    document.title = `${department.name} · Outpatient queue`;
    const doctors = department.doctors.filter((doctor) => doctor.active);
    const wanted = new Set(doctors.map((doctor) => doctor.id));
    for (const [id, { desk, connection, operation }] of this.desks) {
      if (wanted.has(id)) continue;
      connection.unsubscribe(operation);
      desk.node.remove();
      this.desks.delete(id);
    }
    for (const doctor of doctors) {
      if (!this.desks.has(doctor.id)) this.follow(doctor);
      const { desk } = this.desks.get(doctor.id);
      desk.show(doctor);
      $("desks").append(desk.node); // in the roster's order, by name
    }
    this.layout(doctors.length);
  }

  follow(doctor) {
    const desk = new Desk();
    const connection = this.connectionWithRoom();
    const variables = { doctorId: doctor.id, date: this.config.date };
    const operation = connection.subscribe(QUEUE_QUERY, variables, (data) => {
      if (!data.queueUpdated) return;
      showNotice(null);
      desk.draw(data.queueUpdated, this.announcer);
    });
    this.desks.set(doctor.id, { desk, connection, operation });
  }

  // Rows of up to four desks side by side on a landscape screen; on a portrait one
  // the desks stack, in two columns only when there are many.
  layout(count) {
    const style = $("desks").style;
    const rows = Math.max(1, Math.ceil(count / 4));
    style.setProperty("--landscape-rows", rows);
    style.setProperty("--landscape-columns", Math.max(1, Math.ceil(count / rows)));
    const columns = count > 4 ? 2 : 1;
    style.setProperty("--portrait-rows", Math.max(1, Math.ceil(count / columns)));
    style.setProperty("--portrait-columns", columns);
    $("desks").hidden = count === 0;
    $("no-doctors").hidden = count > 0;
    this.fit();
  }

  fit() {
    for (const { desk } of this.desks.values()) desk.fit();
  }
}

new Hall(boardConfig()).start();
