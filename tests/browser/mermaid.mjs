// Renders mermaid diagrams the way GitHub does, with the mermaid library (pinned in
// package-lock.json) in Debian's chromium headless: each must parse and draw an SVG with as many
// nodes as it declares.
//
// Usage: node mermaid.mjs --dir DIR [--chromium /usr/bin/chromium]
//   DIR holds one diagram per `*.mmd` file.
// Run by generator/tests/graph.rs; prints one JSON line ({ ok, rendered, failures }), exits 1 when
// any diagram fails.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const options = {};
for (let index = 2; index < process.argv.length; index += 2) {
  options[process.argv[index].replace(/^--/, "")] = process.argv[index + 1];
}
if (!options.dir) {
  console.error("missing --dir; usage: node mermaid.mjs --dir DIR [--chromium PATH]");
  process.exit(2);
}
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const library = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
const diagrams = readdirSync(options.dir)
  .filter((name) => name.endsWith(".mmd"))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(options.dir, name), "utf8") }));

const profile = mkdtempSync(join(tmpdir(), "gen-mermaid-chromium-"));
let context;
let result;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium || "/usr/bin/chromium",
    args: FLAGS,
    headless: true,
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: library });
  const failures = [];
  for (const diagram of diagrams) {
    const outcome = await page.evaluate(async (text) => {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(`diagram${Date.now()}`, text);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        document.body.appendChild(holder);
        const nodes = holder.querySelectorAll("g.node").length;
        const syntaxError = svg.includes("Syntax error");
        holder.remove();
        return syntaxError ? { error: "mermaid drew its syntax error picture" } : { nodes };
      } catch (error) {
        return { error: String(error && error.message ? error.message : error) };
      }
    }, diagram.text);
    // Each node a diagram declares is a line `id["label"]`, `id[("label")]` and the like.
    const declared = diagram.text
      .split("\n")
      .filter((line) => /^\s+[A-Za-z0-9_]+[[({>]/.test(line) && !/-->|==>|-\.->/.test(line)).length;
    if (outcome.error) {
      failures.push({ diagram: diagram.name, error: outcome.error });
    } else if (outcome.nodes !== declared) {
      failures.push({ diagram: diagram.name, error: `drew ${outcome.nodes} nodes, declares ${declared}` });
    }
  }
  result = { ok: failures.length === 0 && consoleErrors.length === 0, rendered: diagrams.length, failures, consoleErrors };
} catch (error) {
  result = { ok: false, rendered: 0, failures: [{ diagram: "(browser)", error: String(error) }] };
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
