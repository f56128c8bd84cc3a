// Ingest in the real window: a beat whose feed lives on 127.0.0.1 is fetched
// on demand from the Sources dialog (progress per source, last error shown),
// and a reporter adds a pasted-text source to a story.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { openSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join, resolve } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.BEATDESK_APP ?? join(root, "target/debug/beatdesk-app");
const cli = join(root, "target/debug/beatdesk");
const out = join(import.meta.dirname, "output");
const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-ingest-"));
const fixture = readFileSync(join(root, "crates/beatdesk-ingest/tests/fixtures/feeds/ledger.xml"), "utf8");
let server;
let driver;

/** tauri-driver's output goes to a file: if it inherited the runner's pipe, a
 * leftover app process would keep that pipe open and the runner would never end. */
function driverLog() {
  mkdirSync(join(import.meta.dirname, "output"), { recursive: true });
  return openSync(join(import.meta.dirname, "output", "tauri-driver.log"), "a");
}
let tauriDriver;

before(async () => {
  server = createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    if (req.url === "/feeds/ledger.xml") {
      res.writeHead(200, { "content-type": "application/rss+xml; charset=UTF-8", etag: '"e2e"' });
      res.end(fixture.replaceAll("{{BASE}}", base));
    } else if (req.url === "/feeds/broken.xml") {
      res.writeHead(503, { "content-type": "text/html" });
      res.end("<html><body><h1>503 Service Unavailable</h1></body></html>");
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const cfg = join(home, "chips.toml");
  writeFileSync(cfg, `window_days = 3650\n\n[[source]]\nkind = "feed"\nurl = "${base}/feeds/ledger.xml"\n\n[[source]]\nkind = "feed"\nurl = "${base}/feeds/broken.xml"\n`);
  execFileSync(cli, ["--home", home, "beat", "add", "Chips", "--config", cfg]);
  tauriDriver = spawn(join(homedir(), ".cargo/bin/tauri-driver"), [], {
    stdio: ["ignore", driverLog(), driverLog()],
    env: { ...process.env, BEATDESK_HOME: home, NO_PROXY: "127.0.0.1" },
  });
  await new Promise((r) => setTimeout(r, 1500));
  driver = await new Builder().usingServer("http://127.0.0.1:4444/").withCapabilities({ browserName: "wry", "tauri:options": { application: app } }).build();
});

after(async () => {
  await driver?.quit().catch(() => {});
  tauriDriver?.kill("SIGTERM");
  server?.closeAllConnections();
  server?.close();
});

const css = (id) => By.css(`[data-testid="${id}"]`);

/** Finds and clicks, again if a re-render replaced the element in between. */
async function click(id) {
  for (let attempt = 0; ; attempt++) {
    try {
      const el = await driver.wait(until.elementLocated(css(id)), 15000);
      await driver.wait(until.elementIsEnabled(el), 15000);
      await el.click();
      return;
    } catch (e) {
      if (e.name !== "StaleElementReferenceError" || attempt > 5) throw e;
    }
  }
}
const count = (sel) => driver.executeScript(`return document.querySelectorAll('${sel}').length`);
const text = (sel) => driver.executeScript(`return [...document.querySelectorAll('${sel}')].map(e => e.textContent).join('\\n')`);
const shot = (name) => {
  mkdirSync(out, { recursive: true });
  execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", join(out, name)]);
};

test("fetch a beat's sources from the window, then add a manual source", async () => {
  await driver.wait(until.elementLocated(css("sources-admin")), 15000);
  assert.equal(await count('[data-testid="story-item"]'), 0, "nothing fetched yet");
  await click("sources-admin");
  await driver.wait(async () => (await count('[data-testid="source-row"]')) === 2, 10000);
  await click("fetch-now");
  await driver.wait(async () => (await text('[data-testid="source-error"]')).includes("503"), 20000);
  const rows = await text('[data-testid="source-row"]');
  assert.match(rows, /fetched/, "the working feed shows when it was fetched");
  const progress = await driver.executeScript(`return [...document.querySelectorAll('progress.source-progress')].map(p => p.value)`);
  assert.ok(progress.some((v) => v === 1), `a finished source shows a full bar: ${progress}`);
  shot("05-sources.png");
  // Closing the dialog reloads the beat: the fetched records are now stories.
  const dlg = await driver.findElement(By.css("dialog.wide"));
  await (await dlg.findElement(By.xpath(".//button[text()='Close']"))).click();
  await driver.wait(async () => (await count('[data-testid="story-item"]')) > 0, 15000);

  await click("story-item");
  await click("add-source");
  // First editorial action: the editor's name is asked once.
  const name = await driver.wait(until.elementLocated(css("editor-name-input")), 10000);
  await name.sendKeys("Sam Lee");
  await click("editor-name-confirm");
  const input = await driver.wait(until.elementLocated(css("source-input")), 10000);
  await input.sendKeys("A ministry spokesperson said the rule takes effect in January. The ministry confirmed it by phone.");
  await (await driver.findElement(css("source-note"))).sendKeys("call at 10:40");
  await click("source-add-confirm");
  await driver.wait(async () => (await text(".manual-chip")).includes("added by Sam Lee"), 15000);
  shot("06-manual-source.png");
  const db = join(home, "beatdesk.sqlite");
  const row = execFileSync("python3", ["-c", "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute(\"select added_by, note from records where platform='manual'\").fetchall())", db], { encoding: "utf8" });
  assert.match(row, /Sam Lee/);
  assert.match(row, /call at 10:40/);
});
