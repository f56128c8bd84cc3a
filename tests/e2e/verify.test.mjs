// Verify in the real window: a misquote made with `beatdesk edit` is marked
// as a failed claim, opens its record at the closest span, holds back the
// sign-off, and an override with a reason is recorded in the SQLite file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By } from "selenium-webdriver";
import * as ui from "./support.mjs";

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-verify-"));
const env = { ...process.env, BEATDESK_HOME: home };
const beatdesk = (...args) => execFileSync(ui.cli, args, { env, encoding: "utf8" });
const REASON = "Quote confirmed with the author by phone";

let driver;
let close;
let storyId;
let revision;
let original;

before(async () => {
  beatdesk("demo");
  // The window opens the first story that is not a candidate: make a misquote there.
  const stories = JSON.parse(beatdesk("stories", "--beat", "Open Source AI", "--json"));
  storyId = stories.find((s) => s.status !== "candidate").id;
  const view = JSON.parse(beatdesk("show", String(storyId), "--json"));
  const doc = view.draft.document;
  const p = doc.sections[0].paragraphs[0];
  original = p.text;
  const open = p.text.indexOf("\u201c");
  const start = p.text.indexOf(" ", open) + 1;
  const end = p.text.indexOf(" ", start);
  p.text = `${p.text.slice(0, start)}allegedly${p.text.slice(end)}`;
  const file = join(home, "edit.json");
  writeFileSync(file, JSON.stringify(doc));
  const saved = JSON.parse(beatdesk("edit", String(storyId), file, "--editor", "Sam Lee", "--base-revision", String(view.draft.revision), "--json"));
  revision = saved.revision;
  const report = JSON.parse(beatdesk("verify", String(storyId), "--json"));
  assert.equal(report.summary.fail, 1, "the CLI finds the misquote");
  ({ driver, close } = await ui.openWindow(home));
});

after(async () => {
  await close?.();
});

test("a failed claim is marked, opens its record at the closest span, and holds back sign-off", async () => {
  await ui.waitText(driver, "revision", `Revision ${revision}`);
  await ui.waitText(driver, "verify-summary", "1 fail");
  await ui.click(driver, "flag-fail");
  await ui.waitText(driver, "evidence-dialog", "misquote: 1 word differs");
  const span = await ui.textOf(driver, "evidence-span");
  assert.ok(span.split(" ").length >= 3, `the record is opened at the closest span, got ${JSON.stringify(span)}`);
  ui.screenshot("verify-01-evidence.png");
  await ui.click(driver, "evidence-close");
  const disabled = await driver.executeScript(`return document.querySelector('[data-testid="signoff"]').disabled`);
  assert.equal(disabled, true, "sign-off is held back while a hard failure stands");
  await ui.waitText(driver, "signoff-blocked", "1 failed check");
});

test("checks re-run as the editor types: fixing the quote clears the failure", async () => {
  await ui.click(driver, "edit");
  await ui.type(driver, "edit-paragraph", original, { clear: true });
  // Debounced, checked in the core: the panel updates without a save.
  await ui.waitText(driver, "verify-summary", ", 0 fail");
  ui.screenshot("verify-02-typing.png");
  const cancel = await driver.findElement(By.xpath("//button[normalize-space()='Cancel']"));
  await cancel.click();
  await ui.waitText(driver, "signoff-blocked", "1 failed check");
});

test("an override with a reason signs off the revision read and is recorded", async () => {
  await ui.click(driver, "signoff-override");
  await ui.type(driver, "editor-name-input", "Ana Ruiz");
  await ui.click(driver, "editor-name-confirm");
  await ui.type(driver, "override-reason-input", REASON);
  await ui.click(driver, "override-reason-confirm");
  await ui.waitText(driver, "status", "Approved");
  ui.screenshot("verify-03-override.png");
  const rows = ui.sql(home, "SELECT s.editor, d.revision, s.override_reason, s.failures FROM signoffs s JOIN drafts d ON d.id = s.draft_id");
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 3), ["Ana Ruiz", revision, REASON]);
  assert.equal(JSON.parse(rows[0][3]).length, 1, "the failure standing at sign-off is kept");
  const audit = ui.sql(home, "SELECT detail FROM audit_log WHERE action = 'sign_off'");
  assert.equal(JSON.parse(audit[0][0]).override_reason, REASON);
});
