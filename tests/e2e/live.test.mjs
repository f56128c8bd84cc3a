// Another process changes the store while the window is open: the CLI adds a
// source and saves a revision. The window shows both within a few seconds
// (beatdesk://store-changed), keeps the text being typed, and a save over the
// other revision asks who wins instead of overwriting; nothing is lost.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const EDITOR = "Ana Ruiz";
const OTHER = "Ben Ortiz";
const sessions = [];
after(async () => {
  for (const s of sessions) await s.close?.();
});

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-live-"));
execFileSync(ui.cli, ["--home", home, "demo"]);
execFileSync("python3", ["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(\"INSERT INTO settings(key,value) VALUES('editor_name',?) ON CONFLICT(key) DO UPDATE SET value=excluded.value\",(sys.argv[2],))\nc.commit()", join(home, "beatdesk.sqlite"), EDITOR]);
const cli = (...args) => execFileSync(ui.cli, ["--home", home, ...args], { encoding: "utf8", env: { ...process.env, BEATDESK_NO_REFRESH: "1" } });
const js = (driver, script, ...args) => driver.executeScript(script, ...args);
const headlineField = (driver) => js(driver, "return document.querySelector('[data-testid=edit-headline]')?.value ?? null");

/** The CLI saves `headline` as a new revision on top of `base`, as another editor. */
function cliEdit(storyId, base, headline) {
  const doc = JSON.parse(cli("show", String(storyId), "--json")).draft.document;
  doc.headline = headline;
  const file = join(home, `edit-${base}.json`);
  writeFileSync(file, JSON.stringify(doc));
  cli("edit", String(storyId), file, "--editor", OTHER, "--base-revision", String(base));
}

let session;
async function window() {
  if (!session) {
    session = await ui.openWindow(home, { BEATDESK_NO_REFRESH: "1" });
    sessions.push(session);
    await session.driver.wait(until.elementLocated(ui.css("headline")), 15000);
  }
  return session.driver;
}

test("a source added by the CLI shows in the open window, and typed text stays", async () => {
  const driver = await window();
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const before = await js(driver, "return document.querySelectorAll('[data-testid=source]').length");
  // A card open for reading (its text fetched on open) stays open and filled across the refresh.
  await ui.click(driver, "read-source");
  await driver.wait(() => js(driver, "return (document.querySelector('[data-testid=source-text]')?.textContent ?? '').length > 40"), 10000);
  const reading = await ui.textOf(driver, "source-text");
  await ui.click(driver, "edit");
  await ui.type(driver, "edit-headline", " (typing)");
  const typed = await headlineField(driver);
  assert.match(typed, /\(typing\)$/);

  const text = join(home, "note.txt");
  writeFileSync(text, "The harbour authority confirmed the ferry timetable on Friday, a spokesperson said.");
  cli("source", "add", "--story", String(storyId), "--text", text, "--by", OTHER, "--note", "phoned the authority");
  const t0 = Date.now();
  await driver.wait(async () => (await js(driver, "return document.querySelectorAll('[data-testid=source]').length")) === before + 1, 8000).catch(() => {
    ui.screenshot("failed-live-source.png");
    assert.fail("the CLI's source never showed in the window");
  });
  const ms = Date.now() - t0;
  assert.ok(ms < 5000, `shown within a few seconds (${ms} ms)`);
  const card = await js(driver, "return [...document.querySelectorAll('[data-testid=source]')].map(s => s.textContent).find(t => t.includes('added by " + OTHER + "')) ?? ''");
  assert.match(card, /phoned the authority/, "the new card is the CLI's source, with its note");
  assert.equal(await headlineField(driver), typed, "the text being typed is untouched by the refresh");
  await driver.wait(async () => (await ui.textOf(driver, "source-text")) === reading, 5000).catch(() => assert.fail("the open card lost its text in the refresh"));
  assert.equal(await js(driver, "return document.activeElement?.dataset.testid"), "edit-headline", "and keeps the caret");
  await ui.click(driver, "cancel-edit");
});

test("the CLI saves a revision while the window edits: the save asks, keeps mine on top, loses nothing", async () => {
  const driver = await window();
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const base = ui.sql(home, `SELECT MAX(revision) FROM drafts WHERE story_id = ${storyId}`)[0][0];
  // Cancel kept the typed text aside: drop it so this edit starts clean.
  if (await js(driver, "return !!document.querySelector('[data-testid=buffer-discard]')")) await ui.click(driver, "buffer-discard");
  await ui.click(driver, "edit");
  await ui.type(driver, "edit-headline", "Window headline", { clear: true });

  cliEdit(storyId, base, "CLI headline");
  // The window learns of it while the edit stays open, and says who.
  await ui.waitText(driver, "message", `revision ${base + 1} by editor ${OTHER}`);
  assert.equal(await headlineField(driver), "Window headline");

  await ui.click(driver, "save");
  await ui.waitText(driver, "choice-dialog", OTHER);
  assert.match(await ui.textOf(driver, "choice-dialog"), new RegExp(`While you edited revision ${base}, revision ${base + 1}`));
  await ui.click(driver, "conflict-compare");
  await ui.waitText(driver, "conflict-diff", "CLI headline");
  await ui.settle(driver);
  ui.screenshot("conflict-compare.png");
  await ui.click(driver, "conflict-diff-close");
  await ui.click(driver, "conflict-mine");
  await ui.waitText(driver, "revision", `Revision ${base + 2}`);
  const rows = ui.sql(home, `SELECT revision, json_extract(document, '$.headline') FROM drafts WHERE story_id = ${storyId} AND revision > ${base} ORDER BY revision`);
  assert.deepEqual(rows, [[base + 1, "CLI headline"], [base + 2, "Window headline"]], "theirs stays in history, mine on top");
});

test("keep theirs: the window's text is set aside and offered back, not dropped", async () => {
  const driver = await window();
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const base = ui.sql(home, `SELECT MAX(revision) FROM drafts WHERE story_id = ${storyId}`)[0][0];
  await ui.click(driver, "edit");
  await ui.type(driver, "edit-headline", "My second try", { clear: true });
  cliEdit(storyId, base, "Their second try");
  await ui.waitText(driver, "message", `revision ${base + 1} by editor ${OTHER}`);
  await ui.click(driver, "save");
  await ui.click(driver, "conflict-theirs");
  await ui.waitText(driver, "headline", "Their second try");
  await ui.waitText(driver, "message", "set aside");
  assert.equal(ui.sql(home, `SELECT MAX(revision) FROM drafts WHERE story_id = ${storyId}`)[0][0], base + 1, "nothing saved over theirs");
  const [[kept]] = ui.sql(home, `SELECT json_extract(document, '$.headline') FROM edit_buffers WHERE story_id = ${storyId}`);
  assert.equal(kept, "My second try", "my text is in the buffer");
  await ui.click(driver, "buffer-restore");
  assert.equal(await headlineField(driver), "My second try", "and comes back into the editor");
});

test("a revision saved by the CLI shows in the window that is only reading", async () => {
  const driver = await window();
  // The previous test left a kept-aside edit open in the editor: set it aside again.
  if (await js(driver, "return !!document.querySelector('[data-testid=cancel-edit]')")) await ui.click(driver, "cancel-edit");
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const base = ui.sql(home, `SELECT MAX(revision) FROM drafts WHERE story_id = ${storyId}`)[0][0];
  cliEdit(storyId, base, "Read-only window sees this");
  const t0 = Date.now();
  await ui.waitText(driver, "headline", "Read-only window sees this");
  await ui.waitText(driver, "revision", `Revision ${base + 1}`);
  assert.ok(Date.now() - t0 < 5000, "within a few seconds");
});
