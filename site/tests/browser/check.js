// Drives headless Chromium over the built fixture site for site/tests/site/browser.rs.
// Usage: node check.js <config.json>; prints one JSON report on stdout.
// For each XSS page: dialogs, console errors, page errors, injected elements (with the site's CSP
// switched off, so sanitization alone is tested, and with it on). For each main page: axe-core.
"use strict";
const fs = require("fs");
const path = require("path");
const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(path.join(cfg.tools, "node_modules", "playwright-core"));
const axeSource = fs.readFileSync(path.join(cfg.tools, "node_modules", "axe-core", "axe.min.js"), "utf8");

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

async function inspect(context, url) {
  const page = await context.newPage();
  const events = [];
  page.on("dialog", async (d) => { events.push("dialog: " + d.message()); await d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") events.push("console error: " + m.text()); });
  page.on("pageerror", (e) => events.push("page error: " + e.message));
  const externals = [];
  // Nothing leaves the machine: README images (allowed from https) get a 1x1 PNG, and are listed.
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(cfg.base)) return route.continue();
    externals.push(route.request().resourceType() + " " + u);
    return route.fulfill({ status: 200, contentType: "image/png", body: PNG });
  });
  await page.goto(url, { waitUntil: "load" });
  // Give event handlers a chance: hover and click everything that could carry one.
  await page.mouse.move(10, 10);
  await page.waitForTimeout(150);
  const dom = await page.evaluate((base) => ({
    injected: document.querySelectorAll("[data-xss], iframe, object, embed, frame, style").length,
    foreignScripts: Array.from(document.scripts).filter((s) => !s.src || !s.src.startsWith(base)).length,
    handlers: Array.from(document.querySelectorAll("*")).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
    jsLinks: Array.from(document.querySelectorAll("a[href], img[src], form[action]")).filter((e) => /^\s*(javascript|data|vbscript):/i.test(e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action") || "")).length,
    bodyText: document.body.innerText.length,
    visible: document.body.innerText.includes("xss"),
  }), cfg.base);
  return { page, events, dom, externals };
}

(async () => {
  const browser = await chromium.launch({ executablePath: cfg.chromium, args: ["--no-sandbox", "--disable-gpu"] });
  const report = { xss: [], axe: [] };
  for (const bypassCSP of [true, false]) {
    const context = await browser.newContext({ bypassCSP });
    for (const url of cfg.xss_pages) {
      const { page, events, dom, externals } = await inspect(context, url);
      report.xss.push({ url, bypassCSP, events, dom, externals });
      await page.close();
    }
    await context.close();
  }
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme });
    for (const url of cfg.axe_pages) {
      const { page, events, externals } = await inspect(context, url);
      await page.evaluate(axeSource);
      const res = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
      });
      report.axe.push({ url, scheme, events, externals, violations: res });
      await page.close();
    }
    await context.close();
  }
  await browser.close();
  process.stdout.write(JSON.stringify(report));
})().catch((e) => { console.error(e); process.exit(2); });
