// Drives Debian's chromium headless (playwright-core, pinned in package-lock.json) against a
// running `gen dev` dashboard: the page loads with no console errors, shows every part it is
// told to expect, its counters move after `gen send`, and a redrive (confirmed in the page) moves
// a dead-letter queue's waiting messages back to their source queue.
//
// Usage: node dashboard.mjs --url URL --gen GEN --file PIPELINE --parts ID,ID,…
//          [--screenshot PNG] [--chromium /usr/bin/chromium]
// Run by generator/tests/dashboard.rs; prints one JSON line of what it saw, exits 1 on failure.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const options = {};
for (let index = 2; index < process.argv.length; index += 2) {
  options[process.argv[index].replace(/^--/, "")] = process.argv[index + 1];
}
for (const required of ["url", "gen", "file", "parts"]) {
  if (!options[required]) {
    console.error(`missing --${required}; usage: node dashboard.mjs --url URL --gen GEN --file PIPELINE --parts ID,ID`);
    process.exit(2);
  }
}
const expectedParts = options.parts.split(",");
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function send(...extra) {
  const poison = extra.includes("--poison-rate") ? [] : ["--poison-rate", "0"];
  execFileSync(options.gen, ["send", "-f", options.file, ...poison, "--duplicate-rate", "0", ...extra],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
}

/// A part's value from the parts table (its row's `data-*` attribute), as a number.
async function value(page, id, name) {
  const text = await page.getAttribute(`#parts tr[data-id="${id}"]`, `data-${name}`);
  return Number(text || 0);
}

async function until(page, what, id, name, test, timeout = 60_000) {
  try {
    await page.waitForFunction(
      ([id, name, bound]) => {
        const row = document.querySelector(`#parts tr[data-id="${id}"]`);
        return row && Number(row.getAttribute(`data-${name}`) || 0) >= bound;
      },
      [id, name, test],
      { timeout, polling: 100 },
    );
  } catch (error) {
    throw new Error(`${what}: ${id} ${name} did not reach ${test} within ${timeout / 1000} s (it is ${await value(page, id, name)})`);
  }
}

const profile = mkdtempSync(join(tmpdir(), "gen-dashboard-chromium-"));
let context;
const seen = { console_errors: [] };
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1360, height: 1000 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") seen.console_errors.push(message.text());
  });
  page.on("pageerror", (error) => seen.console_errors.push(String(error)));
  // Only the dashboard itself may be asked for anything.
  const origin = new URL(options.url).origin;
  const foreign = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(origin)) foreign.push(request.url());
  });

  await page.goto(options.url);
  await page.waitForSelector("#graph svg");
  await page.waitForSelector("#parts tbody tr");
  const missing = [];
  for (const id of expectedParts) {
    const inGraph = await page.$(`#graph [data-id="${id}"]`);
    const inTable = await page.$(`#parts tr[data-id="${id}"]`);
    if (!inGraph || !inTable) missing.push(`${id} (${inGraph ? "" : "not in the graph "}${inTable ? "" : "not in the table"})`.trim());
  }
  if (missing.length) throw new Error(`parts not shown: ${missing.join(", ")}`);
  seen.parts = expectedParts.length;

  // Counters move after `gen send`.
  const before = {
    invocations: await value(page, "function:task", "invocations"),
    objects: await value(page, "bucket:results", "objects"),
  };
  send("--count", "5");
  await until(page, "after gen send", "function:task", "invocations", before.invocations + 1);
  await until(page, "after gen send", "bucket:results", "objects", before.objects + 5);
  const figure = await page.textContent('#graph [data-id="function:task"] text.figure');
  if (!/invocations/.test(figure || "")) throw new Error(`the graph's figure line of function:task reads ${JSON.stringify(figure)}`);
  seen.invocations = await value(page, "function:task", "invocations");
  seen.objects = await value(page, "bucket:results", "objects");

  // Orders are not notifications: the notification function fails each, and after three
  // receives they wait in notification-dlq. Poison orders fail twice on `task`, then the DLQ
  // processor parks them in the bucket with their reason.
  send("--count", "3", "--queue", "notification");
  send("--count", "2", "--poison-rate", "1");
  await until(page, "dead-lettering", "queue:notification-dlq", "visible", 3);
  await until(page, "parking", "bucket:results", "parked", 2);
  await page.waitForSelector('#dead-letters tr[data-at="queue:notification-dlq"]');
  const reason = await page.textContent('#dead-letters tr[data-at="bucket:results"] .reason');
  if (!/invalid order/.test(reason || "")) throw new Error(`a parked order's reason reads ${JSON.stringify(reason)}`);
  seen.parked_reason = reason;
  const failedBefore = await value(page, "function:notification", "failed-records");

  // A function's recent log lines.
  await page.selectOption("#log-function", "task");
  await page.waitForFunction(() => document.querySelector("#logs").textContent.includes("invoiced"), null, { timeout: 15_000 });
  if (options.screenshot) {
    await page.click('#graph [data-id="function:task"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: options.screenshot, fullPage: true });
  }

  // The redrive asks first; Cancel moves nothing.
  const redrive = 'button.redrive[data-queue="notification-dlq"]';
  await page.click(redrive);
  await page.waitForSelector("#confirm[open]");
  await page.click("#confirm-cancel");
  await page.waitForTimeout(1500);
  if (await page.$('#parts tr[data-id="queue:notification-dlq"] .redrive-state')) {
    throw new Error("a cancelled confirmation started a redrive");
  }
  await page.click(redrive);
  await page.waitForSelector("#confirm[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector('#parts tr[data-id="queue:notification-dlq"] .redrive-state[data-status="COMPLETED"]', { timeout: 30_000 });
  seen.moved = Number(await page.getAttribute('#parts tr[data-id="queue:notification-dlq"] .redrive-state', "data-moved"));
  if (seen.moved < 3) throw new Error(`the redrive moved ${seen.moved} messages, expected at least 3`);
  // Back on their source queue, the notification function receives them again.
  await until(page, "after the redrive", "function:notification", "failed-records", failedBefore + 3);
  seen.failed_records_after_redrive = await value(page, "function:notification", "failed-records");

  if (foreign.length) throw new Error(`the page fetched from elsewhere: ${foreign.join(", ")}`);
  if (seen.console_errors.length) throw new Error(`console errors: ${seen.console_errors.join(" | ")}`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message || error), ...seen }));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
