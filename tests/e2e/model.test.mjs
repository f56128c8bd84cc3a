// A model writer in the real window: added through the Writers dialog (key to
// the keychain), drafting a story from an OpenAI-compatible server on
// 127.0.0.1 that streams its reply as SSE.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-model-"));
const requests = [];
let server;
let driver;
let close;
const css = ui.css;
const click = (id) => ui.click(driver, id);
const text = (id) => ui.textOf(driver, id);

const doc = JSON.stringify({
  headline: "Streamed model headline",
  dek: "Drafted by a model on loopback.",
  sections: [{ heading: "What happened", paragraphs: [{ text: "A paragraph the model cited.", citations: ["R1"] }] }],
  story_so_far: [{ text: "So far, one record.", citations: ["R1"] }],
  faq: [{ q: "Who?", a: "A source.", citations: ["R1"] }],
});

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      requests.push({ url: req.url, auth: req.headers.authorization, body });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": keep-alive\n\n");
      const parts = [doc.slice(0, 40), doc.slice(40, 120), doc.slice(120)];
      for (const p of parts) {
        const frame = { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: p }, finish_reason: null }] };
        // Split one frame across two writes, as networks do.
        const line = `data: ${JSON.stringify(frame)}\n\n`;
        res.write(line.slice(0, 17));
        await new Promise((r) => setTimeout(r, 150));
        res.write(line.slice(17));
      }
      res.write(`data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 2000, completion_tokens: 150, prompt_tokens_details: { cached_tokens: 1500 } } })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  execFileSync(ui.cli, ["--home", home, "demo"]);
  ({ driver, close } = await ui.openWindow(home));
});

after(async () => {
  await close?.();
  server?.closeAllConnections();
  server?.close();
});

test("a model writer added in the window drafts a story by streaming", async () => {
  await driver.wait(until.elementLocated(css("headline")), 15000);
  await click("writers");
  const dialog = await driver.wait(until.elementLocated(By.css("dialog.wide")), 10000);
  await (await driver.findElement(css("model-name"))).sendKeys("loopback");
  const inputs = await dialog.findElements(By.css("input"));
  // name, base URL, model id, context, key
  await inputs[1].sendKeys(`http://127.0.0.1:${server.address().port}/v1`);
  await inputs[2].sendKeys("test-model");
  await inputs[3].sendKeys("8192");
  await inputs[4].sendKeys("sk-e2e-secret");
  await (await dialog.findElement(By.css("button[type=submit]"))).click();
  await driver.wait(async () => (await text("message")).includes("Writer loopback added"), 10000);

  await driver.wait(async () => (await driver.executeScript(`return !!document.querySelector('[data-testid="writer"] option[value="loopback"]')`)), 10000);
  await driver.executeScript(`const s=document.querySelector('[data-testid="writer"]'); s.value='loopback'; s.dispatchEvent(new Event('change'))`);
  await click("draft");
  // The streamed text shows up before the draft is saved.
  await driver.wait(async () => (await text("streaming")).includes("Streamed model"), 10000);
  ui.screenshot("03-streaming.png");
  await driver.wait(async () => (await text("headline")) === "Streamed model headline", 15000);
  assert.match(await text("revision"), /drafted by loopback/);
  await click("tab-history");
  assert.match(await text("draft-figures"), /cache hits 75%/);
  ui.screenshot("04-model-draft.png");

  assert.equal(requests.length, 1);
  assert.equal(requests[0].url, "/v1/chat/completions");
  assert.equal(requests[0].auth, "Bearer sk-e2e-secret", "the key from the keychain is sent");
  const sent = JSON.parse(requests[0].body);
  assert.ok(JSON.stringify(sent.response_format ?? sent).includes("R1"), "citations are constrained to the story's R-ids");
  const settings = JSON.stringify(ui.sql(home, "select group_concat(value) from settings"));
  assert.ok(!settings.includes("sk-e2e-secret"), "the API key is not in SQLite");
});
