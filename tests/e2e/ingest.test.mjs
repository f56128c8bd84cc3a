// Ingest in the real window: a beat whose feed lives on 127.0.0.1 is fetched
// on demand from the Sources dialog (progress per source, last error shown),
// and a reporter adds a pasted-text source to a story.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-ingest-"));
const fixture = readFileSync(join(ui.root, "crates/beatdesk-ingest/tests/fixtures/feeds/ledger.xml"), "utf8");
let server;
let driver;
let close;

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
  execFileSync(ui.cli, ["--home", home, "beat", "add", "Chips", "--config", cfg]);
  ({ driver, close } = await ui.openWindow(home, { NO_PROXY: "127.0.0.1" }));
});

after(async () => {
  await close?.();
  server?.closeAllConnections();
  server?.close();
});

const css = ui.css;
const click = (id) => ui.click(driver, id);
const count = (sel) => driver.executeScript(`return document.querySelectorAll('${sel}').length`);
const text = (sel) => driver.executeScript(`return [...document.querySelectorAll('${sel}')].map(e => e.textContent).join('\\n')`);
const shot = ui.screenshot;

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
  const row = JSON.stringify(ui.sql(home, "select added_by, note from records where platform='manual'"));
  assert.match(row, /Sam Lee/);
  assert.match(row, /call at 10:40/);
});
