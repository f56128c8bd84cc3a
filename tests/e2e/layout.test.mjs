// The layout holds at 1280×800 with what real beats bring: a 300-character
// headline with no spaces, Arabic and Hebrew (right to left), Chinese and
// Japanese, and a story with 200 sources. No column scrolls sideways, the
// headline wraps inside its pane, right-to-left text runs right to left.
// Screenshots of each are in tests/e2e/output/layout-*.png.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const env = { BEATDESK_NO_REFRESH: "1", BEATDESK_NOW: "2026-11-29T12:00:00Z" };
const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-layout-"));
const cli = (...args) => execFileSync(ui.cli, ["--home", home, ...args], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
const LONG = "Supercalifragilistic".repeat(15); // 300 characters, no spaces

const rec = (id, platform, title, text, author, hour) =>
  JSON.stringify({ platform, external_id: id, url: `https://news.example/${id}`, title, text, author, community: "Wire", published_at: `2026-11-28T${String(hour).padStart(2, "0")}:00:00Z`, metrics: { score: 5, comments: 1 } });

const lines = [
  rec("long", "news", LONG, `${LONG} said the ministry on Friday.`, "a".repeat(120), 1),
  ...[0, 1, 2].map((i) => rec(`ar${i}`, "news", "وزارة الطاقة تعلن عن خطة جديدة للطاقة الشمسية في المدن الساحلية", `قالت وزارة الطاقة يوم الجمعة إنها ستبني محطات للطاقة الشمسية في ثلاث مدن ساحلية. التقرير رقم ${i}.`, "مراسل", 2 + i)),
  ...[0, 1, 2].map((i) => rec(`he${i}`, "reddit", "משרד האנרגיה מודיע על תוכנית חדשה לאנרגיה סולארית בערי החוף", `משרד האנרגיה אמר ביום שישי כי יקים תחנות סולאריות בשלוש ערי חוף. דיווח ${i}.`, "כתב", 3 + i)),
  ...[0, 1, 2].map((i) => rec(`zh${i}`, "news", "深度求索发布新的开源权重模型，参数规模达到六千七百亿", `深度求索周五表示，新的开源权重模型在多个基准测试中表现出色。第${i}份报告。`, "记者", 4 + i)),
  ...[0, 1].map((i) => rec(`ja${i}`, "bluesky", "オープンソースAIサミットが東京で開催、百社以上が参加", `オープンソースAIサミットが金曜日に東京で開催された。報告${i}。`, "記者", 5 + i)),
  ...Array.from({ length: 200 }, (_, i) => rec(`b${i}`, i % 3 ? "reddit" : "news", `Falcon lab releases Falcon-9 open weights, report ${i}`, `Falcon lab released the Falcon-9 open weights model under an open licence on Thursday. Report number ${i} adds detail ${i % 13}.`, `author${i % 97}`, 6 + (i % 12))),
];

/** Story ids by what they hold, after import, the 200-record fixture and drafts. */
const stories = {};
let session;
before(async () => {
  const file = join(home, "layout.jsonl");
  writeFileSync(file, lines.join("\n") + "\n");
  cli("beat", "add", "Layout");
  cli("import", "--beat", "Layout", file);
  const storyOf = (ext) => ui.sql(home, `SELECT sr.story_id FROM story_records sr JOIN records r ON r.id = sr.record_id WHERE r.external_id = '${ext}'`)[0][0];
  Object.assign(stories, { long: storyOf("long"), arabic: storyOf("ar0"), hebrew: storyOf("he0"), chinese: storyOf("zh0"), japanese: storyOf("ja0"), big: storyOf("b0") });
  // Clustering splits the 200 (time and wording): put them all in one story, as a big beat would.
  execFileSync("python3", ["-c", `import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO story_records (story_id, record_id, added_at) SELECT ?, id, '2026-11-29T00:00:00Z' FROM records WHERE external_id LIKE 'b%' ON CONFLICT DO NOTHING", (int(sys.argv[2]),))
c.commit()`, join(home, "beatdesk.sqlite"), String(stories.big)]);
  for (const id of new Set(Object.values(stories))) cli("draft", String(id), "--writer", "offline");
  // The long headline as an editor would paste it.
  const doc = JSON.parse(cli("show", String(stories.long), "--json")).draft.document;
  doc.headline = LONG;
  writeFileSync(join(home, "long.json"), JSON.stringify(doc));
  cli("edit", String(stories.long), join(home, "long.json"), "--editor", "Ana Ruiz");
  session = await ui.openWindow(home, env);
  await session.driver.wait(until.elementLocated(ui.css("headline")), 15000);
});
after(async () => session?.close());

/** Opens a story from the list and measures the layout once it settled. */
async function openAndMeasure(id) {
  const { driver } = session;
  await driver.executeScript(`document.querySelector('[data-story-id="${id}"]').click()`);
  await driver.wait(() => driver.executeScript(`return document.querySelector('.story-pane')?.dataset.storyId === "${id}" && !!document.querySelector('[data-testid=headline]')`), 15000);
  await ui.settle(driver);
  // A big story draws its first cards, then more as the panel is scrolled: scroll to the end until all are drawn.
  await driver.wait(
    () =>
      driver.executeScript(`const b = document.querySelector('.panel-body'); b.scrollTop = b.scrollHeight;
        return document.querySelectorAll('[data-testid=source]').length === Number(/\\((\\d+)\\)/.exec(document.querySelector('[data-testid=tab-sources]').textContent)[1]);`),
    15000,
  );
  await driver.executeScript("document.querySelector('.panel-body').scrollTop = 0");
  // The verification panel (claims quoted from the sources) arrives after the story.
  await driver.wait(() => driver.executeScript("return /claims/.test(document.querySelector('[data-testid=verify-panel]')?.textContent ?? '')"), 15000);
  await ui.settle(driver);
  return driver.executeScript(`
    // Off-screen cards skip layout (content-visibility): lay everything out for the measurement.
    if (!window.__allLaidOut) { document.styleSheets[0].insertRule('* { content-visibility: visible !important; }', document.styleSheets[0].cssRules.length); window.__allLaidOut = true; }
    const over = (el) => el.scrollWidth - el.clientWidth;
    const cols = Object.fromEntries(['.sidebar', '.story-pane', '.panel', '.panel-body', '.story-list, .sidebar ol, .sidebar ul'].map((s) => [s, document.querySelector(s) ? over(document.querySelector(s)) : 0]));
    const hl = document.querySelector('[data-testid=headline]');
    const pane = document.querySelector('.story-pane').getBoundingClientRect();
    const r = hl.getBoundingClientRect();
    const cards = [...document.querySelectorAll('[data-testid=source], [data-testid=story-item]')];
    // What sticks out of its column, to name it when a check fails.
    const wide = ['.panel', '.story-pane', '.sidebar'].flatMap((col) => {
      const edge = document.querySelector(col).getBoundingClientRect().right + 1;
      return [...document.querySelectorAll(col + ' *')].filter((e) => e.getBoundingClientRect().right > edge).slice(0, 3).map((e) => col + ' ' + e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40));
    });
    return {
      wide,
      viewport: [window.innerWidth, window.innerHeight],
      page: document.documentElement.scrollWidth - window.innerWidth,
      cols,
      cardsOver: cards.filter((c) => over(c) > 1 || c.getBoundingClientRect().right > window.innerWidth + 1).length,
      cards: cards.length,
      headline: { inside: r.left >= pane.left - 1 && r.right <= pane.right + 1, lines: Math.round(r.height / parseFloat(getComputedStyle(hl).lineHeight)), direction: getComputedStyle(hl.closest('[dir]')).direction, text: hl.textContent.length },
      titleDirection: getComputedStyle(document.querySelector('.source-title')).direction,
      // Right-to-left text aligns right: every line of a source title ends at its right edge.
      titleLinesFlushRight: (() => { const t = document.querySelector('.source-title'); const rg = document.createRange(); rg.selectNodeContents(t); const right = t.getBoundingClientRect().right - parseFloat(getComputedStyle(t).paddingRight); return [...rg.getClientRects()].every((x) => Math.abs(x.right - right) <= 2); })(),
      titleLines: (() => { const rg = document.createRange(); rg.selectNodeContents(document.querySelector('.source-title')); return rg.getClientRects().length; })(),
      listDirection: getComputedStyle(document.querySelector('.story-item.active .story-title')).direction,
      sourceTitlesOver: [...document.querySelectorAll('.source-title')].filter((t) => t.getBoundingClientRect().right > t.closest('.panel').getBoundingClientRect().right + 1).length,
    };`);
}

function assertNoOverflow(m, what) {
  assert.deepEqual(m.viewport, [1280, 800], "the window is 1280×800");
  if (m.wide.length) console.log(what, "wide:", m.wide);
  assert.ok(m.page <= 0, `${what}: the page does not scroll sideways (${m.page}px)`);
  for (const [col, px] of Object.entries(m.cols)) assert.ok(px <= 1, `${what}: ${col} overflows sideways by ${px}px`);
  assert.equal(m.cardsOver, 0, `${what}: a story item or source card runs past its column`);
  assert.equal(m.sourceTitlesOver, 0, `${what}: a source title runs past the panel`);
  assert.ok(m.headline.inside, `${what}: the headline stays inside the story pane`);
}

test("a 300-character headline with no spaces wraps inside the pane", async () => {
  const m = await openAndMeasure(stories.long);
  ui.screenshot("layout-long-headline.png");
  assertNoOverflow(m, "long headline");
  assert.equal(m.headline.text, 300);
  assert.ok(m.headline.lines >= 3, `it wraps (${m.headline.lines} lines)`);
});

for (const [name, want] of [["arabic", "rtl"], ["hebrew", "rtl"], ["chinese", "ltr"], ["japanese", "ltr"]]) {
  test(`${name} text keeps the columns and reads ${want}`, async () => {
    const m = await openAndMeasure(stories[name]);
    ui.screenshot(`layout-${name}.png`);
    assertNoOverflow(m, name);
    // dir="auto" follows the first strong letter: the source's own title, and its story in the list.
    assert.equal(m.titleDirection, want, `the source titles read ${want}`);
    assert.equal(m.listDirection, want, `the story's title in the list reads ${want}`);
    if (want === "rtl") {
      assert.ok(m.titleLines >= 2, "the title wraps, so its alignment shows");
      assert.ok(m.titleLinesFlushRight, "and each of its lines ends at the right edge");
    }
  });
}

test("a story with 200 sources keeps the columns", async () => {
  // It opens with the cards that fit and a few more, not all 200.
  await session.driver.executeScript(`document.querySelector('[data-story-id="${stories.big}"]').click()`);
  await session.driver.wait(() => session.driver.executeScript(`return document.querySelector('.story-pane')?.dataset.storyId === "${stories.big}"`), 15000);
  await ui.settle(session.driver);
  const first = await session.driver.executeScript("return document.querySelectorAll('[data-testid=source]').length");
  assert.ok(first >= 6 && first < 200, `the first paint draws what fits (${first} cards)`);
  const m = await openAndMeasure(stories.big);
  ui.screenshot("layout-200-sources.png");
  assertNoOverflow(m, "200 sources");
  assert.ok(m.cards >= 200, `every card is drawn (${m.cards} cards and items)`);
  // Scrolled to the end of the list, the last cards are laid out too.
  await session.driver.executeScript("const b = document.querySelector('.panel-body'); b.scrollTop = b.scrollHeight;");
  await ui.settle(session.driver);
  ui.screenshot("layout-200-sources-end.png");
});
