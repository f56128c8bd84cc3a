// The real window, end to end: a new user loads the demo beat, edits a
// paragraph, signs off and exports; the SQLite file must then hold the
// editor's revision, the sign-off and the export.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By } from "selenium-webdriver";
import * as ui from "./support.mjs";

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-"));
const EDITOR = "Ana Ruiz";
const EDITED = "Edited in the end-to-end test: the editor's own sentence.";

let driver;
let close;
const click = (id) => ui.click(driver, id);
const textOf = (id) => ui.textOf(driver, id);
const waitText = (id, want) => ui.waitText(driver, id, want);
const sql = (query) => ui.sql(home, query);
const screenshot = ui.screenshot;

before(async () => {
  ({ driver, close } = await ui.openWindow(home));
});

after(async () => {
  await close?.();
});

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
  await ui.settle(driver);
  screenshot("01-demo-story.png");
});

test("an edit becomes a new revision and a sign-off is recorded", async () => {
  await click("edit");
  await ui.type(driver, "edit-paragraph", EDITED, { clear: true });
  await click("save");
  // First save asks for the editor's name, once.
  await ui.type(driver, "editor-name-input", EDITOR);
  await click("editor-name-confirm");
  await waitText("revision", "Revision 2");
  const doc = await textOf("story-doc");
  assert.ok(doc.includes(EDITED), "the edited paragraph is shown after saving");

  await click("signoff");
  await click("signoff-note-confirm");
  await waitText("approval", `Signed off by ${EDITOR}`);
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
