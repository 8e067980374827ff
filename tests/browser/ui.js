// Drives headless Chromium over the site built from the bundled sample, for tests/hisper/browser_ui.rs.
// Usage: node ui.js <config.json>; prints one JSON report on stdout. Measures, never screenshots:
// - panel: on a server page, the header search box's floating panel (filters, status, results)
//   while a query is typed, and after focus leaves the box (Shift+Tab, and a click on the page), at
//   desktop and phone width: is it shown, and which element is at the title's centre;
// - phone: at 390 px, every word in the parameter and configuration tables (does one word's text
//   span more than one line box?), the page's horizontal overflow, and each code block (does its
//   text fit its box, does it scroll, does it wrap?).
"use strict";
const fs = require("fs");
const path = require("path");
const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(path.join(cfg.tools, "node_modules", "playwright-core"));

async function newPage(browser, width, height, events) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(cfg.base)) return route.continue();
    events.push("external request " + u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => events.push("page error: " + e.message));
  page.on("console", (m) => { if (m.type() === "error") events.push("console error: " + m.text()); });
  return { context, page };
}

// What covers the title, and whether the panel is on screen.
function panelState() {
  const panel = document.querySelector("header .hs-panel");
  const h1 = document.querySelector("main h1");
  const r = h1.getBoundingClientRect();
  const atTitle = document.elementFromPoint(r.left + Math.min(r.width / 2, 60), r.top + r.height / 2);
  const vis = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  return {
    panelVisible: vis(panel),
    filtersVisible: vis(document.querySelector("header .hs-filters")),
    resultsVisible: vis(document.querySelector("header .hs-results")),
    options: document.querySelectorAll("header .hs-results [role=option]").length,
    titleCovered: !(atTitle && h1.contains(atTitle)),
    expanded: document.querySelector("header input[name=q]").getAttribute("aria-expanded"),
  };
}

async function panel(browser, width, how) {
  const events = [];
  const { context, page } = await newPage(browser, width, 900, events);
  await page.goto(cfg.base + cfg.server_path, { waitUntil: "load" });
  await page.locator("header [id=hisper-search][data-enhanced]").waitFor({ state: "attached", timeout: 10000 });
  const input = page.locator("header input[name=q]");
  await input.click();
  await input.pressSequentially(cfg.query, { delay: 20 });
  await page.locator(`header [role=listbox][data-query="${cfg.query}"] [role=option]`).first().waitFor({ timeout: 15000 });
  await page.locator("header .hs-filters:not([hidden])").waitFor({ timeout: 10000 });
  const open = await page.evaluate(panelState);
  // Shift+Tab moves focus to the brand link before the form; the click lands on the page, at
  // the bottom-left corner of the window.
  if (how === "tab") await page.keyboard.press("Shift+Tab");
  else await page.mouse.click(5, 895);
  // Longer than the box's blur delay.
  await page.waitForTimeout(400);
  const closed = await page.evaluate(panelState);
  // Focus back in the box: the panel returns with the results of the query still typed.
  await input.focus();
  await page.waitForTimeout(200);
  const refocused = await page.evaluate(panelState);
  await context.close();
  return { width, how, open, closed, refocused, events };
}

async function phone(browser, url) {
  const events = [];
  const { context, page } = await newPage(browser, 390, 900, events);
  await page.goto(url, { waitUntil: "load" });
  const m = await page.evaluate(() => {
    const broken = [];
    let words = 0;
    for (const cell of document.querySelectorAll("table.params th, table.params td")) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const re = /\S+/g;
        let w;
        while ((w = re.exec(n.data))) {
          // Words longer than a phone line may have to break; everything shorter must not.
          if (w[0].length > 24) continue;
          words++;
          const range = document.createRange();
          range.setStart(n, w.index);
          range.setEnd(n, w.index + w[0].length);
          const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(w[0]);
        }
      }
    }
    const vw = document.documentElement.clientWidth;
    const tables = Array.from(document.querySelectorAll("table.params")).map((t) => Math.round(t.getBoundingClientRect().right));
    const pres = Array.from(document.querySelectorAll("main pre")).map((p) => {
      const st = getComputedStyle(p);
      const r = p.getBoundingClientRect();
      return {
        fits: p.scrollWidth <= p.clientWidth + 1,
        scrolls: st.overflowX === "auto" || st.overflowX === "scroll",
        wraps: st.whiteSpace === "pre-wrap" || st.whiteSpace === "pre-line" || st.whiteSpace === "normal",
        right: Math.round(r.right),
      };
    });
    return {
      viewport: vw,
      pageOverflow: document.documentElement.scrollWidth - vw,
      words, broken, tables: tables.length, widestTableRight: Math.max(0, ...tables), pres,
    };
  });
  await context.close();
  return Object.assign({ url, events }, m);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: cfg.chromium,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const report = { panel: [], phone: [] };
  for (const width of [1280, 390]) {
    for (const how of ["tab", "click"]) report.panel.push(await panel(browser, width, how));
  }
  for (const p of cfg.phone_paths) report.phone.push(await phone(browser, cfg.base + p));
  await browser.close();
  process.stdout.write(JSON.stringify(report));
})().catch((e) => { console.error(e); process.exit(2); });
