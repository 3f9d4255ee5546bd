// The gen dev dashboard: the graph (graph.svg) with the live figures of /api/events laid on its
// nodes, the parts table, the dead letters, a dead-letter queue's redrive and a function's logs.
"use strict";

const $ = (selector) => document.querySelector(selector);
const SVG = "http://www.w3.org/2000/svg";
const KEEP_LINES = 200;
let snapshot = null;
let logFunction = "";

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text) made.textContent = text;
  return made;
}

async function loadGraph() {
  const answer = await fetch("graph.svg");
  $("#graph").innerHTML = await answer.text();
  for (const node of document.querySelectorAll("#graph [data-id]")) {
    node.addEventListener("click", () => {
      const id = node.getAttribute("data-id");
      if (id.startsWith("function:")) selectLogs(id.slice("function:".length));
    });
  }
  if (snapshot) overlay(snapshot);
}

// Each part's main figure in the line the graph keeps free under its node (`text.figure`), all
// of its figures in the node's tooltip.
function overlay(current) {
  for (const part of current.parts) {
    const node = document.querySelector(`#graph [data-id="${CSS.escape(part.id)}"]`);
    if (!node) continue;
    const figure = node.querySelector("text.figure");
    if (figure) {
      figure.textContent = part.lines[0] || "";
      figure.classList.toggle("alert", alerting(part));
      fit(figure, node);
    }
    let title = node.querySelector("title");
    if (!title) {
      title = document.createElementNS(SVG, "title");
      node.prepend(title);
    }
    title.textContent = [part.id, ...part.lines].join("\n");
  }
}

// Smaller type for a figure line wider than its node's box.
function fit(figure, node) {
  const shape = node.firstElementChild;
  if (!shape || shape === figure || typeof shape.getBBox !== "function") return;
  const room = shape.getBBox().width - 8;
  let size = 11;
  figure.style.fontSize = `${size}px`;
  while (size > 8 && figure.getComputedTextLength() > room) {
    size -= 0.5;
    figure.style.fontSize = `${size}px`;
  }
}

function alerting(part) {
  const values = part.values;
  return (values.dead_letter_queue && values.visible + values.in_flight + values.delayed > 0)
    || values.errors > 0;
}

function renderParts(current) {
  const body = $("#parts tbody");
  body.replaceChildren();
  for (const part of current.parts) {
    const row = element("tr", { "data-id": part.id });
    for (const [name, value] of Object.entries(part.values)) {
      row.setAttribute(`data-${name.replaceAll("_", "-")}`, value === null ? "" : String(value));
    }
    if (alerting(part)) row.classList.add("alert");
    const name = element("td");
    name.append(element("span", { class: "kind" }, part.kind), part.label);
    const figures = element("td", { class: "figures" });
    for (const line of part.lines) figures.append(element("span", {}, line));
    const actions = element("td");
    if (part.values.dead_letter_queue) actions.append(...redriveControls(part, current));
    if (part.kind === "function") {
      const show = element("button", { type: "button" }, "logs");
      show.addEventListener("click", () => selectLogs(part.label));
      actions.append(show);
    }
    row.append(name, figures, actions);
    body.append(row);
  }
}

function redriveControls(part, current) {
  const waiting = part.values.visible;
  const button = element("button", { type: "button", class: "redrive", "data-queue": part.label }, "redrive");
  button.disabled = waiting === 0;
  button.title = "move its waiting messages back to their source queue";
  button.addEventListener("click", () => confirmRedrive(part.label, waiting));
  const controls = [button];
  const task = current.redrives[part.label];
  if (task) {
    const moved = `${task.status.toLowerCase()} · moved ${task.moved} of ${task.to_move}`;
    controls.push(element("span", { class: "redrive-state", "data-status": task.status,
      "data-moved": String(task.moved) }, task.failure ? `${moved}: ${task.failure}` : moved));
  }
  return controls;
}

function confirmRedrive(queue, waiting) {
  const dialog = $("#confirm");
  $("#confirm-text").textContent =
    `Move the ${waiting} waiting message${waiting === 1 ? "" : "s"} of ${queue} back to the queue they came from? Their functions will receive them again.`;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "ok") return;
    const answer = await fetch("api/redrive", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ queue }),
    });
    if (!answer.ok) setStatus(`redrive refused: ${await answer.text()}`, false);
  };
  dialog.showModal();
}

function renderDeadLetters(current) {
  const table = $("#dead-letters");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const letter of current.dead_letters) {
    const row = element("tr", { "data-at": letter.at });
    const message = element("td");
    message.append(element("code", {}, letter.message_id.slice(0, 8)), element("br"),
      element("small", { class: "quiet" }, letter.body));
    const [kind, name] = letter.at.split(":");
    const where = `${kind === "queue" ? "waiting in" : "parked in"} ${name}`;
    row.append(element("td", {}, where), message, element("td", { class: "reason" }, letter.reason));
    body.append(row);
  }
  table.hidden = current.dead_letters.length === 0;
  $("#no-dead-letters").hidden = current.dead_letters.length > 0;
}

function renderFunctions(current) {
  const select = $("#log-function");
  const functions = current.parts.filter((part) => part.kind === "function").map((part) => part.label);
  if (select.options.length !== functions.length) {
    select.replaceChildren(...functions.map((name) => element("option", { value: name }, name)));
    if (!logFunction && functions.length) selectLogs(functions[0]);
  }
}

async function selectLogs(name) {
  logFunction = name;
  $("#log-function").value = name;
  for (const node of document.querySelectorAll("#graph .node")) {
    node.classList.toggle("selected", node.getAttribute("data-id") === `function:${name}`);
  }
  const answer = await fetch(`api/logs?function=${encodeURIComponent(name)}`);
  const lines = await answer.json();
  if (logFunction === name) $("#logs").textContent = lines.length ? lines.join("\n") + "\n" : "";
}

function appendLog(line) {
  if (line.function !== logFunction) return;
  const pre = $("#logs");
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  const lines = (pre.textContent + line.text + "\n").split("\n");
  pre.textContent = lines.slice(Math.max(0, lines.length - KEEP_LINES - 1)).join("\n");
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

function setStatus(text, live) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("live", live);
}

function render(current) {
  snapshot = current;
  $("#pipeline").textContent = current.pipeline;
  document.title = `gen dev · ${current.pipeline}`;
  overlay(current);
  renderParts(current);
  renderDeadLetters(current);
  renderFunctions(current);
}

function follow() {
  const events = new EventSource("api/events");
  events.addEventListener("open", () => setStatus("live", true));
  events.addEventListener("figures", (event) => {
    render(JSON.parse(event.data));
    setStatus(`live · ${new Date().toLocaleTimeString()}`, true);
  });
  events.addEventListener("log", (event) => appendLog(JSON.parse(event.data)));
  events.addEventListener("error", () => setStatus("gen dev is not answering; retrying…", false));
}

$("#log-function").addEventListener("change", (event) => selectLogs(event.target.value));
loadGraph();
follow();
