// The window on a shared PostgreSQL store: another desk (the CLI under the
// same store address) saves a revision and adds a source; the window learns
// of it through LISTEN/NOTIFY (beatdesk://store-changed) within a few
// seconds and keeps the text being typed. Runs inside tests/pg/start.sh +
// tests/pg/env.sh (BEATDESK_TEST_PG); elsewhere it is skipped, saying why.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Key, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const admin = process.env.BEATDESK_TEST_PG;
const skip = admin ? false : "needs PostgreSQL: bash tests/pg/start.sh bash tests/pg/env.sh node --test tests/e2e/live-pg.test.mjs";
const sessions = [];
after(async () => {
  for (const s of sessions) await s.close?.();
});

/** A fresh database on the throw-away server, and the address of it. */
function freshStore() {
  const db = `e2e_live_${process.pid}_${Date.now() % 100000}`;
  execFileSync("psql", [admin, "-v", "ON_ERROR_STOP=1", "-qc", `CREATE DATABASE ${db}`]);
  return admin.replace(/dbname=\S+/, `dbname=${db}`);
}

test("another desk's revision and source reach the open window through LISTEN, typed text stays", { skip }, async () => {
  const store = freshStore();
  const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-live-pg-"));
  const env = { BEATDESK_STORE: store, BEATDESK_NO_REFRESH: "1" };
  const cli = (...args) => execFileSync(ui.cli, ["--home", home, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  cli("demo");
  execFileSync("psql", [store, "-v", "ON_ERROR_STOP=1", "-qc", "INSERT INTO settings (key, value) VALUES ('editor_name', 'Ana Ruiz')"]);

  const session = await ui.openWindow(home, env);
  sessions.push(session);
  const driver = session.driver;
  await driver.wait(until.elementLocated(ui.css("headline")), 15000);
  const js = (script) => driver.executeScript(script);
  const storyId = Number(await js("return document.querySelector('.story-item.active').dataset.storyId"));

  // Another desk saves a revision while this one only reads.
  const shown = JSON.parse(cli("show", String(storyId), "--json"));
  const base = shown.draft.revision;
  const doc = shown.draft.document;
  doc.headline = "Seen from another desk over PostgreSQL";
  const file = join(home, "edit.json");
  writeFileSync(file, JSON.stringify(doc));
  cli("edit", String(storyId), file, "--editor", "Ben Ortiz", "--base-revision", String(base));
  const t0 = Date.now();
  await ui.waitText(driver, "headline", "Seen from another desk over PostgreSQL");
  await ui.waitText(driver, "revision", `Revision ${base + 1}`);
  assert.ok(Date.now() - t0 < 5000, `within a few seconds, took ${Date.now() - t0} ms`);

  // While this desk types, another adds a source: the list grows, the text stays.
  const before = await js("return document.querySelectorAll('[data-testid=source]').length");
  await ui.click(driver, "edit");
  // Edit selects the headline; End first, so the typing adds to it.
  await ui.type(driver, "edit-headline", Key.END + " (typing)");
  const note = join(home, "note.txt");
  writeFileSync(note, "The harbour authority confirmed the ferry timetable on Friday, a spokesperson said.");
  cli("source", "add", "--story", String(storyId), "--text", note, "--by", "Ben Ortiz", "--note", "phoned the authority");
  await driver.wait(async () => (await js("return document.querySelectorAll('[data-testid=source]').length")) > before, 5000).catch(() => {
    ui.screenshot("failed-live-pg-source.png");
    assert.fail("the other desk's source never showed in the window");
  });
  const typed = await js("return document.querySelector('[data-testid=edit-headline]')?.value ?? null");
  assert.equal(typed, "Seen from another desk over PostgreSQL (typing)", "the text being typed survives the refresh");
  ui.screenshot("live-pg.png");
});
