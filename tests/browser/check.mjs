// Browser checks of a built site, opened from disk in Debian's Chromium:
// home → the last closed report by its link, charts drawn with a size, every link of
// the visited pages reachable, an invoice printing to one or two A4 pages, axe-core
// at 390 and 1280 px with no serious or critical violation, and search: served over
// HTTP (the search page fetches its index, which a browser refuses from disk), a query from the
// header's box finds its minutes page first; from disk the search page says why not.
// Usage: node check.mjs PUBLIC_DIR   (CHROMIUM=/path overrides the browser)
import { readFileSync, existsSync, statSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const out = path.resolve(process.argv[2] ?? "public");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };
const url = (rel) => pathToFileURL(path.join(out, rel)).href;

const browser = await puppeteer.launch({
  executablePath: browserPath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--allow-file-access-from-files"],
});
const page = await browser.newPage();

// Every page opened from disk gets its stylesheet: a rooted link would leave it unstyled.
async function open(target, width) {
  await page.setViewport({ width, height: 900 });
  await page.goto(target, { waitUntil: "load" });
  const styled = await page.evaluate(() => [...document.styleSheets].some((s) => s.cssRules.length > 0));
  if (!styled) fail(`${target}: no stylesheet loaded from disk`);
}

// 1. Home → the last closed week, by the link a resident would follow.
await open(url("index.html"), 390);
const lead = await page.$("#glance-heading a");
if (!lead) fail("home: no link to the last closed week");
else {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), lead.click()]);
  const at = fileURLToPath(page.url());
  if (!at.endsWith(path.join("reports", "2026-W47", "index.html"))) fail(`home link led to ${at}`);
  const charts = await page.$$eval("figure.chart svg", (svgs) =>
    svgs.map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }));
  if (charts.length === 0 || charts.some(([w, h]) => !(w > 0 && h > 0))) fail(`charts without size: ${JSON.stringify(charts)}`);
  else console.log(`ok   home → ${path.relative(out, at)}: ${charts.length} charts drawn, none empty`);
  // Every link on the report leads to a file on disk.
  const links = await page.$$eval("a[href]", (as) => as.map((a) => a.href));
  let followed = 0;
  for (const href of links) {
    if (!href.startsWith("file:")) continue;
    const file = fileURLToPath(href.split("#")[0].split("?")[0]);
    if (!existsSync(file)) fail(`report: ${href} leads to nothing`); else followed += 1;
  }
  console.log(`ok   report: ${followed} links followed from disk`);
}

// 2. An invoice prints on one or two A4 pages.
await open(url("invoices/INV-2026-Q3/index.html"), 1280);
const pdf = Buffer.from(await page.pdf({ format: "A4", printBackground: true })).toString("latin1");
const sheets = (pdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
if (sheets < 1 || sheets > 2) fail(`invoice prints on ${sheets} A4 pages`);
else console.log(`ok   invoice prints on ${sheets} A4 page(s)`);
await open(url("reports/2026-W47/index.html"), 1280);
const reportPdf = Buffer.from(await page.pdf({ format: "A4" })).toString("latin1");
console.log(`note weekly report prints on ${(reportPdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length} A4 pages`);

// A manual's one-page print and a chapter with a wide table fit a 390 px phone, on
// screen and printed there: nothing wider than the page.
for (const rel of ["manuals/community-solar/1.1/print/index.html",
                   "manuals/community-solar/1.1/site-survey/index.html"]) {
  for (const media of ["screen", "print"]) {
    await page.emulateMediaType(media);
    await open(url(rel), 390);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 390) fail(`${rel} (${media}) is ${wide} px wide at 390 px`);
    else console.log(`ok   ${rel} (${media}) fits 390 px`);
  }
}
await page.emulateMediaType(null);

// 3. axe-core on the pages residents read most, phone and desktop.
const minutes = "minutes/2026-11-23-care-circle-assembly/index.html";
const chapter = "manuals/community-solar/1.1/site-survey/index.html";
const pages = ["index.html", "reports/2026-W47/index.html", "reports/2026-W48/index.html",
               "reports/index.html", minutes, chapter, "invoices/INV-2026-Q3/index.html",
               "decisions/index.html", "glossary/index.html"];
let checked = 0;
for (const rel of pages) {
  if (!existsSync(path.join(out, rel))) { fail(`${rel}: missing`); continue; }
  for (const width of [390, 1280]) {
    await open(url(rel), width);
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    checked += 1;
    if (bad.length > 0) {
      for (const v of bad) fail(`axe ${rel} @${width}px: ${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes[0].target}`);
    } else {
      console.log(`ok   axe ${rel} @${width}px: 0 serious or critical (${result.violations.length} minor)`);
    }
  }
}
// 4. Search. From disk: the search page explains and links to the registers.
await open(`${url("search/index.html")}?q=stipend`, 1280);
const offline = await page.$eval("#search-offline", (p) => !p.hidden);
if (!offline) fail("search from disk: no explanation shown");
else console.log("ok   search from disk: says it needs a web host, lists the registers");

// Over HTTP, a static server of the output under a sub-path, as a host under base_url.
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
                ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png" };
const prefix = "/site/";
const server = http.createServer((req, res) => {
  const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = pathname.startsWith(prefix) ? path.join(out, pathname.slice(prefix.length)) : null;
  if (file && !file.startsWith(out)) file = null;
  if (file && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!file || !existsSync(file)) { res.writeHead(404); res.end("not found"); return; }
  res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const site = `http://127.0.0.1:${server.address().port}${prefix}`;
await page.setViewport({ width: 1280, height: 900 });
// The header's search box, a plain GET form, leads to the search page with the query.
await page.goto(`${site}minutes/index.html`, { waitUntil: "load" });
await page.type("#site-search-q", "stipend");
await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
if (!page.url().startsWith(`${site}search/index.html?q=stipend`)) fail(`search box led to ${page.url()}`);
const expected = `${site}${minutes}`;
for (const word of ["stipend", "unanswered"]) {
  await page.goto(`${site}search/index.html?q=${word}`, { waitUntil: "load" });
  const results = await page.waitForSelector(".search-result a", { timeout: 10000 })
    .then(() => page.$$eval(".search-result a", (as) => as.map((a) => a.href)))
    .catch(() => []);
  if (results[0] !== expected) fail(`search "${word}": first of ${results.length} results is ${results[0]}, not ${expected}`);
  else console.log(`ok   search "${word}" over HTTP: its minutes page first of ${results.length} result(s)`);
}
await page.evaluate(axeSource);
const searchAxe = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
const searchBad = searchAxe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
for (const v of searchBad) fail(`axe search page: ${v.id} (${v.impact}): ${v.nodes[0].target}`);
if (searchBad.length === 0) console.log("ok   axe search page with results: 0 serious or critical");
server.close();

await browser.close();
console.log(`${checked} axe runs on ${pages.length} pages; ${failures.length} failure(s)`);
process.exit(failures.length === 0 ? 0 : 1);
