// Drives headless Chromium over a locally served site with the search box (playwright-core).
// Usage: node drive.mjs <search-page-url> <query> <expected-slug>
// Prints one JSON line: {ok, first, finalPath, consoleErrors, external, wasmOffMessage, notes...}.
import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const tools = process.env.HISPER_SEARCH_TOOLS;
const require = createRequire(join(tools, "package.json"));
const { chromium } = require("playwright-core");
const [url, query, slug] = process.argv.slice(2);
const origin = new URL(url).origin;

// A fresh profile directory each run (playwright passes it as --user-data-dir).
const launch = (extra) => chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hisper-chromium-")), {
  executablePath: process.env.HISPER_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync"],
  ...extra,
});
const result = { ok: false, first: null, finalPath: null, consoleErrors: [], external: [], wasmOffMessage: null, requests: 0,
  notesWithJs: null, noteVisibleWithJs: null, noteVisibleWasmOff: null, noteVisibleWithoutJs: null };
const localOnly = async (ctx) => ctx.route("**/*", (route) => {
  const u = route.request().url();
  result.requests++;
  if (!u.startsWith(origin)) { result.external.push(u); return route.abort(); }
  return route.continue();
});
const context = await launch({});
try {
  await localOnly(context);
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") result.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => result.consoleErrors.push(String(e)));
  await page.goto(url);
  // The script ran: the "search needs JavaScript" note is hidden.
  await page.locator("[id=hisper-search][data-enhanced]").first().waitFor({ state: "attached", timeout: 10000 });
  result.notesWithJs = await page.locator(".nojs-note").count();
  result.noteVisibleWithJs = await page.locator(".nojs-note").first().isVisible();
  const input = page.locator("input[name=q]").first();
  await input.click();
  await input.pressSequentially(query, { delay: 30 });
  // The list of the whole query (a slow keystroke may show a shorter query's results first).
  const firstOption = page.locator(`[role=listbox][data-query="${query}"] [role=option]`).first();
  await firstOption.waitFor({ timeout: 15000 });
  result.first = await firstOption.locator("a").getAttribute("href");
  result.expanded = await input.getAttribute("aria-expanded");
  // Results are drawn as their records arrive: once all are in, the list is the whole ranking in
  // order, each option with its own id.
  const listSel = `[role=listbox][data-query="${query}"]`;
  // (The search page shows 50 at a time.)
  result.ranked = await page.evaluate((q) => window.hisperSearch.query(q, {}, undefined, 50).then((hits) => hits.map((h) => `/servers/${h.rec.u}/`)), query);
  // Waits through locators, never waitForFunction: its polling evaluates a string, which the
  // site's CSP (no 'unsafe-eval') refuses once the first check is not already true.
  if (result.ranked.length > 0) await page.locator(`${listSel} [role=option]`).nth(result.ranked.length - 1).waitFor({ timeout: 15000 });
  result.listed = await page.locator(`${listSel} [role=option] a`).evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  result.optionIds = await page.locator(`${listSel} [role=option]`).evaluateAll((os) => os.map((o) => o.id));
  // The search page is the full results page: more than the header's 10, each with its facts.
  result.metas = await page.locator(`${listSel} [role=option] .hs-meta`).evaluateAll((ms) => ms.map((m) => m.textContent));
  await input.press("ArrowDown");
  result.activeDescendant = await input.getAttribute("aria-activedescendant");
  await Promise.all([page.waitForURL(`**/servers/**`, { timeout: 10000 }), input.press("Enter")]);
  result.finalPath = new URL(page.url()).pathname;

  // The same page with the wasm module blocked: a clear message, no crash.
  const page2 = await context.newPage();
  await page2.route("**/search.wasm", (r) => r.abort());
  page2.on("pageerror", (e) => result.consoleErrors.push(String(e)));
  await page2.goto(url);
  const input2 = page2.locator("input[name=q]").first();
  await input2.click();
  await input2.pressSequentially(query, { delay: 10 });
  await page2.locator(".hs-failed").first().waitFor({ timeout: 10000 });
  result.wasmOffMessage = await page2.locator(".hs-status").first().textContent();
  result.noteVisibleWasmOff = await page2.locator(".nojs-note").first().isVisible();

  // The module loads but the results' records do not arrive: the message says so (not that search
  // is unavailable), the box stays, and "Try again" works once the records are back.
  const page4 = await context.newPage();
  let blockRecords = true;
  await page4.route("**/search/r/**", (r) => (blockRecords ? r.abort() : r.continue()));
  page4.on("pageerror", (e) => result.consoleErrors.push(String(e)));
  await page4.goto(url);
  const input4 = page4.locator("input[name=q]").first();
  await input4.click();
  await input4.pressSequentially(query, { delay: 10 });
  const retry = page4.locator(".hs-status .hs-retry").first();
  await retry.waitFor({ timeout: 10000 });
  result.recordsOffMessage = await page4.locator(".hs-status").first().textContent();
  result.recordsOffFailed = await page4.locator(".hs-failed").count();
  blockRecords = false;
  await retry.click();
  const again = page4.locator(`[role=listbox][data-query="${query}"] [role=option]`).first();
  await again.waitFor({ timeout: 15000 });
  result.retriedFirst = await again.locator("a").getAttribute("href");

  // A query typed into the header box before the search script has arrived (a slow network, a
  // fast typist): no input event reaches the script, yet the query is searched once it runs.
  const page5 = await context.newPage();
  let release;
  const typed = new Promise((r) => { release = r; });
  await page5.route("**/search/search.js*", async (r) => { await typed; await r.continue(); });
  page5.on("pageerror", (e) => result.consoleErrors.push(String(e)));
  await page5.goto(origin + "/", { waitUntil: "commit" });
  const top = page5.locator("input[name=q]").first();
  await top.waitFor({ timeout: 10000 });
  await top.click();
  await top.pressSequentially(query, { delay: 10 });
  result.typedBeforeScript = await page5.locator("[id=hisper-search][data-enhanced]").count();
  release();
  const early = page5.locator(`[role=listbox][data-query="${query}"] [role=option]`).first();
  await early.waitFor({ timeout: 15000 });
  result.typedEarlyFirst = await early.locator("a").getAttribute("href");
  // The header's list: 10 results and a link to all of them; it and its filters close when the
  // box loses the focus.
  await page5.locator(`[role=listbox][data-query="${query}"] [role=option]`).nth(9).waitFor({ timeout: 15000 });
  result.headerCount = await page5.locator(`[role=listbox][data-query="${query}"] [role=option]`).count();
  result.allLink = await page5.locator(".hs-all").first().getAttribute("href");
  await top.evaluate((e) => e.blur());
  await page5.waitForTimeout(400);
  result.headerListVisibleAfterBlur = await page5.locator(".hs-results").first().isVisible();
  result.headerFiltersVisibleAfterBlur = await page5.locator(".hs-filters").first().isVisible();

  // JavaScript off: the note shows.
  const noJs = await launch({ javaScriptEnabled: false });
  try {
    await localOnly(noJs);
    const page3 = await noJs.newPage();
    await page3.goto(url);
    result.noteVisibleWithoutJs = await page3.locator(".nojs-note").first().isVisible();
  } finally {
    await noJs.close();
  }
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  try {
    const pages = context.pages();
    const p = pages[pages.length - 1];
    result.status = await p.evaluate(() => Array.from(document.querySelectorAll(".hs-status")).map((e) => e.textContent));
    result.resources = await p.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name.replace(location.origin, "") + " " + Math.round(e.duration)));
    result.value = await p.evaluate(() => document.querySelector("input[name=q]").value);
  } catch (_) { /* the page is gone */ }
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
