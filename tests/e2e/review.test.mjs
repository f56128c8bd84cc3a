// The real window, end to end: a new user loads the demo beat, edits a
// paragraph, signs off and exports; the SQLite file must then hold the
// editor's revision, the sign-off and the export.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { openSync, mkdtempSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join, resolve } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

const root = resolve(import.meta.dirname, "../..");
const app = process.env.BEATDESK_APP ?? join(root, "target/debug/beatdesk-app");
const out = join(import.meta.dirname, "output");
const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-"));
const db = join(home, "beatdesk.sqlite");
const EDITOR = "Ana Ruiz";
const EDITED = "Edited in the end-to-end test: the editor's own sentence.";

let driver;

/** tauri-driver's output goes to a file: if it inherited the runner's pipe, a
 * leftover app process would keep that pipe open and the runner would never end. */
function driverLog() {
  mkdirSync(join(import.meta.dirname, "output"), { recursive: true });
  return openSync(join(import.meta.dirname, "output", "tauri-driver.log"), "a");
}
let tauriDriver;

/** Reads the SQLite file with Python's sqlite3 (the app keeps it open in WAL mode). */
function sql(query) {
  const script = "import json,sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(json.dumps(c.execute(sys.argv[2]).fetchall()))";
  return JSON.parse(execFileSync("python3", ["-c", script, db, query], { encoding: "utf8" }));
}

function screenshot(name) {
  mkdirSync(out, { recursive: true });
  // WebDriver's own screenshot can return a stale frame; the X root shows the real state.
  execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", join(out, name)]);
}

before(async () => {
  assert.ok(existsSync(app), `build the app first: ${app} is missing`);
  tauriDriver = spawn(join(homedir(), ".cargo/bin/tauri-driver"), [], {
    stdio: ["ignore", driverLog(), driverLog()],
    env: { ...process.env, BEATDESK_HOME: home },
  });
  await new Promise((r) => setTimeout(r, 1500));
  const caps = { browserName: "wry", "tauri:options": { application: app } };
  driver = await new Builder().usingServer("http://127.0.0.1:4444/").withCapabilities(caps).build();
});

after(async () => {
  await driver?.quit().catch(() => {});
  // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver.
  tauriDriver?.kill("SIGTERM");
});

async function click(testid) {
  // Retry on a stale element: a re-render can replace it between find and click.
  for (let attempt = 0; ; attempt++) {
    try {
      const el = await driver.wait(until.elementLocated(By.css(`[data-testid="${testid}"]`)), 15000);
      await driver.wait(until.elementIsEnabled(el), 15000);
      await el.click();
      return;
    } catch (e) {
      if (e.name !== "StaleElementReferenceError" || attempt > 5) throw e;
    }
  }
}

async function textOf(testid) {
  await driver.wait(until.elementLocated(By.css(`[data-testid="${testid}"]`)), 15000);
  // textContent, read in the page: immune to re-renders and to CSS text transforms.
  return (await driver.executeScript(`return document.querySelector('[data-testid="${testid}"]')?.textContent ?? ""`)) ?? "";
}

/** Waits until the element's text contains `want`. The UI re-renders, so the element is found anew each time. */
async function waitText(testid, want) {
  let last = "";
  await driver
    .wait(async () => {
      try {
        last = await textOf(testid);
      } catch {
        return false;
      }
      return last.includes(want);
    }, 15000)
    .catch(() => {
      screenshot(`failed-${testid}.png`);
      assert.fail(`${testid} never showed ${JSON.stringify(want)}; last: ${JSON.stringify(last)}`);
    });
}

test("first launch offers the demo beat and opens a drafted story", async () => {
  await click("load-demo");
  const headline = await textOf("headline");
  assert.ok(headline.length > 10, `a drafted story is shown, got ${JSON.stringify(headline)}`);
  const stories = await driver.findElements(By.css('[data-testid="story-item"]'));
  assert.ok(stories.length >= 3, `the demo beat lists its stories, got ${stories.length}`);
  const sources = await driver.findElements(By.css('[data-testid="source"]'));
  assert.ok(sources.length >= 2, "the source list is beside the story");
  // Hostile source text is shown as text: no script element came from the records.
  const scripts = await driver.executeScript("return [...document.querySelectorAll('script')].filter(s => !s.src).length");
  assert.equal(scripts, 0, "no inline script may exist in the page");
  screenshot("01-demo-story.png");
});

test("an edit becomes a new revision and a sign-off is recorded", async () => {
  await click("edit");
  const para = await driver.wait(until.elementLocated(By.css('[data-testid="edit-paragraph"]')), 10000);
  await para.clear();
  await para.sendKeys(EDITED);
  await click("save");
  // First save asks for the editor's name, once.
  const name = await driver.wait(until.elementLocated(By.css('[data-testid="editor-name-input"]')), 10000);
  await name.sendKeys(EDITOR);
  await click("editor-name-confirm");
  await waitText("revision", "Revision 2");
  const doc = await textOf("story-doc");
  assert.ok(doc.includes(EDITED), "the edited paragraph is shown after saving");

  await click("signoff");
  await click("signoff-note-confirm");
  await waitText("last-signoff", EDITOR);
  await waitText("status", "Approved");
  await click("export-md");
  await waitText("message", "Exported to");
  screenshot("02-signed-off.png");

  const revs = sql("SELECT revision, author_kind, author, document FROM drafts ORDER BY id");
  const mine = revs.filter((r) => r[1] === "editor");
  assert.equal(mine.length, 1, `one editor revision in the file: ${JSON.stringify(revs.map((r) => r.slice(0, 3)))}`);
  assert.equal(mine[0][2], EDITOR);
  assert.ok(mine[0][3].includes(EDITED), "the revision holds the edited text");
  const signoffs = sql("SELECT s.editor, d.revision FROM signoffs s JOIN drafts d ON d.id = s.draft_id");
  assert.deepEqual(signoffs, [[EDITOR, mine[0][0]]], "the sign-off is on the edited revision");
  const exported = sql("SELECT target, location FROM exports");
  assert.equal(exported.length, 1);
  assert.equal(exported[0][0], "markdown");
  const md = readFileSync(exported[0][1], "utf8");
  assert.ok(md.includes(EDITED.replace("'", "'")), "the exported Markdown has the edit");
  assert.ok(md.includes(`Signed off by ${EDITOR}`), "the methodology line records the sign-off");
  const story = sql("SELECT status FROM stories s JOIN drafts d ON d.story_id = s.id WHERE d.author_kind = 'editor'");
  assert.equal(story[0][0], "exported");
  const audit = sql("SELECT action, actor FROM audit_log WHERE actor = 'Ana Ruiz' ORDER BY id");
  assert.deepEqual(audit.map((a) => a[0]), ["edit", "sign_off", "export"]);
});

test("the FAQ is edited in its panel: add, change, remove", async () => {
  await click("tab-faq");
  await click("faq-edit");
  const before = await driver.findElements(By.css('[data-testid="faq-edit-item"]'));
  assert.ok(before.length >= 2, "the drafted FAQ has questions");
  const removedQ = await driver.executeScript(`return document.querySelector('[data-testid="faq-q"]').value`);
  await click("faq-remove");
  await click("faq-add");
  const qs = await driver.findElements(By.css('[data-testid="faq-q"]'));
  const as = await driver.findElements(By.css('[data-testid="faq-a"]'));
  await qs[qs.length - 1].sendKeys("What did the editor check?");
  await as[as.length - 1].sendKeys("Every quote against its source.");
  await click("faq-save");
  await waitText("message", "FAQ saved as revision");
  const [doc] = sql("SELECT document FROM drafts WHERE author_kind = 'editor' ORDER BY id DESC LIMIT 1")[0];
  const faq = JSON.parse(doc).faq;
  assert.equal(faq.length, before.length, "one removed, one added");
  assert.ok(!faq.some((f) => f.q === removedQ), "the removed question is gone");
  assert.deepEqual(faq[faq.length - 1], { q: "What did the editor check?", a: "Every quote against its source.", citations: [] });
  screenshot("07-faq.png");
});
