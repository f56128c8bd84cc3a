// The review desk through the real window, one editor's flow per test: a beat
// made and removed from the window; a paragraph and a citation added; two
// revisions compared and one restored; spike and un-spike; an edit that
// survives a killed app; and a story of hostile records that runs nothing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const EDITOR = "Ana Ruiz";
const sessions = [];
after(async () => {
  for (const s of sessions) await s.close?.();
});

async function open(home) {
  const s = await ui.openWindow(home, { NO_PROXY: "127.0.0.1", BEATDESK_NO_REFRESH: "1" });
  sessions.push(s);
  return s;
}

const newHome = (tag) => mkdtempSync(join(tmpdir(), `beatdesk-e2e-${tag}-`));
const setEditor = (home) =>
  execFileSync("python3", ["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(\"INSERT OR REPLACE INTO settings(key,value) VALUES('editor_name',?)\",(sys.argv[2],))\nc.commit()", join(home, "beatdesk.sqlite"), EDITOR]);
const js = (driver, script, ...args) => driver.executeScript(script, ...args);
const count = (driver, sel) => js(driver, `return document.querySelectorAll(${JSON.stringify(sel)}).length`);
/** Chooses the option at `index` of the select found by `sel` (within `root` when given). */
const choose = (driver, el, value) =>
  js(driver, "const s = arguments[0]; s.value = String(arguments[1]); s.dispatchEvent(new Event('change', { bubbles: true }));", el, value);

test("create, rename and remove a beat from the window", async () => {
  const home = newHome("beat");
  const { driver, close } = await open(home);
  await ui.click(driver, "new-beat");
  await ui.type(driver, "beat-name", "Chips");
  // Loopback only: the background refresh may try this feed.
  await ui.type(driver, "guided-field-0", "http://127.0.0.1:9/chips.xml");
  await ui.click(driver, "beat-create");
  await ui.waitText(driver, "message", "Beat created");
  const [[name, config]] = ui.sql(home, "SELECT name, config FROM beats");
  assert.equal(name, "Chips");
  assert.match(config, /\[\[source\]\]\nkind = "feed"\nurl = "http:\/\/127\.0\.0\.1:9\/chips\.xml"/);
  assert.deepEqual(ui.sql(home, "SELECT kind FROM sources"), [["feed"]], "the guided source became a source");
  assert.match(await ui.textOf(driver, "empty-list"), /No stories yet/, "the empty list says what to do next");

  await ui.click(driver, "rename-beat");
  await ui.type(driver, "rename-beat-input", "Chips and trade");
  await ui.click(driver, "rename-beat-confirm");
  await ui.type(driver, "editor-name-input", EDITOR);
  await ui.click(driver, "editor-name-confirm");
  await ui.waitText(driver, "message", "renamed");
  assert.deepEqual(ui.sql(home, "SELECT name FROM beats"), [["Chips and trade"]]);

  await ui.click(driver, "remove-beat");
  await ui.click(driver, "remove-beat-continue");
  await ui.type(driver, "remove-beat-confirm-input", "Chips");
  await ui.click(driver, "remove-beat-confirm-confirm");
  await ui.waitText(driver, "message", "type the beat's name");
  assert.equal(ui.sql(home, "SELECT COUNT(*) FROM beats")[0][0], 1, "a wrong name removes nothing");
  await ui.click(driver, "remove-beat");
  await ui.click(driver, "remove-beat-continue");
  await ui.type(driver, "remove-beat-confirm-input", "Chips and trade");
  await ui.click(driver, "remove-beat-confirm-confirm");
  await driver.wait(until.elementLocated(ui.css("load-demo")), 15000);
  assert.equal(ui.sql(home, "SELECT COUNT(*) FROM beats WHERE removed_at IS NULL")[0][0], 0, "the beat left the list");
  assert.equal(ui.sql(home, "SELECT COUNT(*) FROM sources")[0][0], 0, "its sources no longer fetch");
  assert.deepEqual(ui.sql(home, "SELECT action FROM audit_log ORDER BY id").map((r) => r[0]), ["rename_beat", "remove_beat"]);
  await close();
});

// One window for the editing flows below: they follow each other on one story.
const deskHome = newHome("desk");
let desk;
const labelsInPanel = (driver) =>
  js(driver, "return Object.fromEntries([...document.querySelectorAll('[data-testid=source]')].map(s => [s.dataset.recordId, s.querySelector('[data-testid=source-label]').textContent]))");

test("add a paragraph and a citation; a new source keeps every label", async () => {
  execFileSync(ui.cli, ["--home", deskHome, "demo"]);
  setEditor(deskHome);
  desk = await open(deskHome);
  const { driver } = desk;
  await driver.wait(until.elementLocated(ui.css("headline")), 15000);
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const before = await labelsInPanel(driver);

  await ui.click(driver, "edit");
  assert.equal(await js(driver, "return document.activeElement.dataset.testid"), "edit-headline", "Edit puts the caret in the headline");
  await (await driver.findElements(ui.css("para-add")))[0].click();
  const paras = await driver.findElements(ui.css("para-edit"));
  const added = paras[1];
  await (await added.findElement(ui.css("edit-paragraph"))).sendKeys("An editor's paragraph, with a source.");
  const select = await added.findElement(ui.css("cite-add"));
  const cited = await js(driver, "return arguments[0].options[1].value", select);
  await choose(driver, select, cited);
  assert.equal((await added.findElements(ui.css("cite-chip"))).length, 1, "the chip shows in that paragraph");
  await ui.click(driver, "save");
  await ui.waitText(driver, "revision", "Revision 2");
  const [[doc]] = ui.sql(deskHome, `SELECT document FROM drafts WHERE story_id = ${storyId} ORDER BY revision DESC LIMIT 1`);
  const p = JSON.parse(doc).sections[0].paragraphs[1];
  assert.deepEqual(p, { text: "An editor's paragraph, with a source.", citations: [Number(cited)] });
  const shown = await js(driver, `return [...document.querySelectorAll('[data-testid=cite][data-record-id="${cited}"]')].map(b => b.textContent)`);
  assert.ok(shown.includes(before[cited]), `the citation shows the source's own label ${before[cited]}: ${shown}`);

  await ui.click(driver, "add-source");
  await ui.type(driver, "source-input", "https://not a valid url");
  await ui.click(driver, "source-add-confirm");
  await ui.waitText(driver, "source-input-error", "space");
  await ui.type(driver, "source-input", "We will publish the weights next week, the lab's spokesperson said.", { clear: true });
  await ui.type(driver, "source-who", "Dana Kim");
  await ui.type(driver, "source-capacity", "spokesperson");
  await ui.click(driver, "source-add-confirm");
  await ui.waitText(driver, "message", "added");
  const after = await labelsInPanel(driver);
  for (const [id, label] of Object.entries(before)) assert.equal(after[id], label, `record ${id} keeps ${label}`);
  const fresh = Object.keys(after).filter((id) => !(id in before));
  assert.equal(fresh.length, 1);
  const max = Math.max(...Object.values(before).map((l) => Number(l.slice(1, -1))));
  assert.equal(after[fresh[0]], `[${max + 1}]`, "a new source gets the next number");
  assert.deepEqual(ui.sql(deskHome, `SELECT author, community, added_by FROM records WHERE id = ${fresh[0]}`), [["Dana Kim", "spokesperson", EDITOR]]);
  await ui.settle(driver);
  ui.screenshot("10-edited.png");
});

test("compare two revisions, then restore the first", async () => {
  const { driver } = desk;
  await ui.click(driver, "tab-history");
  await ui.click(driver, "compare");
  await driver.wait(until.elementLocated(ui.css("diff-added")), 15000);
  assert.match(await ui.textOf(driver, "diff"), /An editor's paragraph, with a source\./);
  await ui.click(driver, "diff-side");
  await driver.wait(until.elementLocated(By.css(".diff.side")), 5000);
  await ui.settle(driver);
  ui.screenshot("11-compare.png");
  await ui.click(driver, "restore");
  await ui.waitText(driver, "revision", "Revision 3");
  const docs = ui.sql(deskHome, "SELECT revision, document FROM drafts WHERE story_id = (SELECT story_id FROM drafts WHERE revision = 2 LIMIT 1) ORDER BY revision");
  assert.deepEqual(JSON.parse(docs[2][1]), JSON.parse(docs[0][1]), "revision 3 is revision 1's text");
  assert.equal(docs.length, 3, "nothing was overwritten");
  await ui.waitText(driver, "audit", "restored a revision from r1");
});

test("spike a story and bring it back", async () => {
  const { driver } = desk;
  const storyId = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const status = () => ui.sql(deskHome, `SELECT status FROM stories WHERE id = ${storyId}`)[0][0];
  const was = status();
  await ui.click(driver, "spike");
  await ui.type(driver, "spike-reason-input", "a wire rewrite");
  await ui.click(driver, "spike-reason-confirm");
  await driver.wait(until.elementLocated(ui.css("unspike")), 15000);
  assert.equal(status(), "spiked");
  await choose(driver, await driver.findElement(ui.css("filter-status")), "spiked");
  await driver.wait(async () => (await count(driver, "[data-testid=story-item]")) === 1, 10000);
  await ui.click(driver, "unspike");
  await driver.wait(until.elementLocated(ui.css("spike")), 15000);
  assert.equal(status(), was, "back where it was");
  const log = ui.sql(deskHome, `SELECT action, actor, detail FROM audit_log WHERE story_id = ${storyId} AND action LIKE '%spike' ORDER BY id`);
  assert.deepEqual(log.map((r) => r.slice(0, 2)), [["spike", EDITOR], ["unspike", EDITOR]]);
  assert.match(log[0][2], /a wire rewrite/);
  await ui.click(driver, "clear-filters").catch(async () => choose(driver, await driver.findElement(ui.css("filter-status")), ""));
});

test("keyboard: arrows move between stories, ? lists the keys", async () => {
  const { driver } = desk;
  await choose(driver, await driver.findElement(ui.css("filter-status")), "");
  await driver.wait(async () => (await count(driver, "[data-testid=story-item]")) > 2, 10000);
  const active = () => js(driver, "return document.querySelector('.story-item.active')?.dataset.storyId");
  await js(driver, "document.activeElement.blur()");
  const first = await active();
  await driver.actions().sendKeys(Key.ARROW_DOWN).perform();
  await driver.wait(async () => (await active()) !== first, 10000);
  // Focus follows the story, so the next arrow goes on from there.
  await driver.wait(async () => (await js(driver, "return document.activeElement?.dataset.storyId ?? null")) === (await active()), 10000);
  await driver.actions().sendKeys(Key.ARROW_UP).perform();
  await driver.wait(async () => (await active()) === first, 10000);
  await driver.actions().sendKeys("?").perform();
  await driver.wait(until.elementLocated(ui.css("shortcuts")), 5000);
  assert.match(await ui.textOf(driver, "shortcuts"), /Next story/);
  await driver.actions().sendKeys(Key.ESCAPE).perform();
  await driver.wait(async () => (await count(driver, "dialog[open]")) === 0, 5000);
  await desk.close();
});

test("kill the app mid-edit and get the text back on restart", async () => {
  const home = newHome("crash");
  execFileSync(ui.cli, ["--home", home, "demo"]);
  setEditor(home);
  const first = await open(home);
  await first.driver.wait(until.elementLocated(ui.css("edit")), 15000);
  await ui.click(first.driver, "edit");
  await ui.type(first.driver, "edit-headline", " — typed before the crash");
  await first.driver.wait(() => ui.sql(home, "SELECT COUNT(*) FROM edit_buffers")[0][0] === 1, 10000);
  const pid = ui.appPid(first.driverPid);
  assert.ok(pid, "found the app process");
  process.kill(pid, "SIGKILL");
  await first.close();

  const second = await open(home);
  await ui.click(second.driver, "buffer-restore");
  const value = await js(second.driver, "return document.querySelector('[data-testid=edit-headline]').value");
  assert.match(value, /— typed before the crash$/);
  await ui.click(second.driver, "save");
  await ui.waitText(second.driver, "revision", "Revision 2");
  const [[doc]] = ui.sql(home, "SELECT document FROM drafts WHERE revision = 2");
  assert.match(JSON.parse(doc).headline, /typed before the crash$/);
  assert.equal(ui.sql(home, "SELECT COUNT(*) FROM edit_buffers")[0][0], 0, "saved: the buffer is gone");
  await second.close();
});

test("a story of hostile records shows them as text and calls nothing", async () => {
  const home = newHome("xss");
  const hostile = [
    { title: "<script>window.__pwned=1</script>Lab leaks model weights", text: "Lab leaks model weights. <img src=x onerror=\"window.__pwned=2\"> The weights leaked on a forum.", author: "<b onmouseover=alert(1)>eve</b>" },
    { title: "Model weights leak: lab confirms </textarea><script>window.__pwned=3</script>", text: "The lab confirms model weights leaked. </textarea><iframe src=javascript:alert(1)></iframe> Weights leaked.", author: "\u202Egnp.exe" },
    { title: "Leaked weights from lab spread", text: "Weights leaked from the lab spread on forums. <svg onload=alert(1)>", author: "mallory" },
  ].map((r, i) => JSON.stringify({ platform: "news", external_id: `h${i}`, url: `https://news.example/${i}`, published_at: `2026-11-2${6 + (i % 3)}T10:00:00Z`, community: "<i>Wire</i>", ...r }));
  hostile.push(JSON.stringify({ platform: "news", external_id: "h9", url: "javascript:window.__pwned=4", title: "Lab weights leak link", text: "x", author: "a", published_at: "2026-11-27T10:00:00Z" }));
  const file = join(home, "hostile.jsonl");
  writeFileSync(file, hostile.join("\n") + "\n");
  execFileSync(ui.cli, ["--home", home, "beat", "add", "Hostile"]);
  try {
    execFileSync(ui.cli, ["--home", home, "import", "--beat", "Hostile", file], { stdio: "pipe" });
  } catch {
    // A line the importer refuses (the javascript: URL) is reported; the others are kept.
  }
  const stories = JSON.parse(execFileSync(ui.cli, ["--home", home, "stories", "--beat", "Hostile", "--json"], { encoding: "utf8" }));
  for (const s of stories) execFileSync(ui.cli, ["--home", home, "draft", String(s.id ?? s.story?.id), "--writer", "offline"], { stdio: "pipe" });
  setEditor(home);
  const tables = ["records", "stories", "drafts", "signoffs", "exports", "audit_log", "settings", "edit_buffers", "story_records"];
  const snapshot = () => tables.map((t) => ui.sql(home, `SELECT COUNT(*) FROM ${t}`)[0][0]);
  const before = snapshot();

  const { driver, close } = await open(home);
  await driver.wait(until.elementLocated(ui.css("story-item")), 15000);
  await js(driver, "const i = window.__TAURI_INTERNALS__; const orig = i.invoke.bind(i); window.__calls = []; i.invoke = (cmd, args, o) => { window.__calls.push(cmd); return orig(cmd, args, o); };");
  for (const item of await driver.findElements(ui.css("story-item"))) {
    await item.click();
    await ui.settle(driver);
    for (const read of await driver.findElements(ui.css("read-source"))) await read.click();
    for (const cite of await driver.findElements(ui.css("cite"))) {
      await js(driver, "arguments[0].scrollIntoView({ block: 'center' })", cite);
      await driver.actions().move({ origin: cite }).perform();
      await cite.click();
    }
    const edit = await driver.findElements(ui.css("edit"));
    if (edit.length) {
      await edit[0].click();
      await ui.click(driver, "cancel-edit");
    }
  }
  await ui.click(driver, "tab-history");
  await ui.settle(driver);
  ui.screenshot("12-hostile.png");

  const page = await js(driver, `return {
    pwned: window.__pwned ?? null,
    scripts: [...document.querySelectorAll('script')].filter(s => !s.src).length,
    bad: document.querySelectorAll('img, iframe, svg:not(.spark), b, i').length,
    handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    dialogs: document.querySelectorAll('dialog[open]').length,
    calls: window.__calls,
    text: document.body.innerText,
  }`);
  assert.equal(page.pwned, null, "no source text ran");
  assert.equal(page.scripts, 0);
  assert.equal(page.bad, 0, "no markup from source text became elements");
  assert.equal(page.handlers, 0, "no inline handler attributes");
  assert.equal(page.dialogs, 0, "no dialog opened");
  assert.ok(page.text.includes("<script>window.__pwned=1</script>"), "hostile text is shown, as text");
  await assert.rejects(driver.switchTo().alert(), "no alert is open");
  const reads = new Set(["search_stories", "beat_usage", "get_story", "edit_buffer", "story_audit"]);
  const others = page.calls.filter((c) => !reads.has(c));
  assert.deepEqual(others, [], `only reads were called: ${page.calls}`);
  assert.deepEqual(snapshot(), before, "nothing changed in the store");
  await close();
});

test("move a record and merge two stories; re-analysis keeps both decisions", async () => {
  const home = newHome("correct");
  execFileSync(ui.cli, ["--home", home, "demo"]);
  setEditor(home);
  const { driver, close } = await open(home);
  await driver.wait(until.elementLocated(ui.css("headline")), 15000);
  const ids = await js(driver, "return [...document.querySelectorAll('[data-testid=story-item]')].map(b => Number(b.dataset.storyId))");
  const a = Number(await js(driver, "return document.querySelector('.story-item.active').dataset.storyId"));
  const [b, c] = ids.filter((id) => id !== a);
  const storyOf = (record) => ui.sql(home, `SELECT sr.story_id FROM story_records sr JOIN stories s ON s.id = sr.story_id WHERE sr.record_id = ${record} AND s.retired = 0`).map((r) => r[0]);

  const source = (await driver.findElements(ui.css("source")))[0];
  const moved = Number(await source.getAttribute("data-record-id"));
  await (await source.findElement(ui.css("move-to"))).click();
  await choose(driver, await driver.findElement(ui.css("move-select")), b);
  await ui.click(driver, "move-confirm");
  await ui.waitText(driver, "message", "moved");
  assert.deepEqual(storyOf(moved), [b], "the record is in the story it was moved to");

  const cRecords = ui.sql(home, `SELECT record_id FROM story_records WHERE story_id = ${c}`).map((r) => r[0]);
  assert.ok(cRecords.length > 0);
  await ui.click(driver, "merge");
  await choose(driver, await driver.findElement(ui.css("merge-select")), c);
  await ui.click(driver, "merge-confirm");
  await ui.waitText(driver, "message", "merged");
  for (const r of cRecords) assert.deepEqual(storyOf(r), [a], `record ${r} joined the merged story`);

  execFileSync(ui.cli, ["--home", home, "analyze", "--beat", "Open Source AI"]);
  assert.deepEqual(storyOf(moved), [b], "the move survives a full re-analysis");
  for (const r of cRecords) assert.deepEqual(storyOf(r), [a], "so does the merge");
  await ui.click(driver, "tab-history");
  await ui.waitText(driver, "audit", "merged another story into this one");
  await close();
});
