// Export targets in the real window: a signed webhook target added in
// "Export targets" (its secret to the keychain), the open story previewed —
// nothing sent — then sent to a Standard Webhooks receiver on 127.0.0.1 that
// checks the signature.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const home = mkdtempSync(join(tmpdir(), "beatdesk-e2e-targets-"));
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const deliveries = [];
let server;
let driver;
let close;
const css = ui.css;
const click = (id) => ui.click(driver, id);

/** Standard Webhooks: v1,base64(HMAC-SHA256(key, "id.timestamp.body")). */
function verified(headers, body) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const want = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest("base64");
  return (headers["webhook-signature"] ?? "").split(" ").some((s) => {
    const got = Buffer.from(s.replace(/^v1,/, ""));
    return got.length === Buffer.from(want).length && timingSafeEqual(got, Buffer.from(want));
  });
}

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const ok = verified(req.headers, body);
      deliveries.push({ ok, body: ok ? JSON.parse(body) : null });
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  execFileSync(ui.cli, ["--home", home, "demo"]);
  // Every drafted demo story signed off, so whichever opens first can go out.
  for (const id of [1, 2, 3]) {
    try {
      execFileSync(ui.cli, ["--home", home, "signoff", String(id), "--editor", "Ana Ruiz"], { stdio: "ignore" });
    } catch {
      // Not drafted: not signed.
    }
  }
  ({ driver, close } = await ui.openWindow(home));
});

after(async () => {
  await close?.();
  server?.closeAllConnections();
  server?.close();
});

test("a webhook target is added, the story previewed without sending, then sent signed", async () => {
  await driver.wait(until.elementLocated(css("headline")), 15000);
  await click("targets");
  await driver.wait(until.elementLocated(css("targets-dialog")), 10000);
  await ui.type(driver, "target-name", "wire");
  await driver.executeScript(`const s=document.querySelector('[data-testid="target-kind"]'); s.value='webhook'; s.dispatchEvent(new Event('change'))`);
  await ui.type(driver, "target-url", `http://127.0.0.1:${server.address().port}/hook`);
  await ui.type(driver, "target-secret", secret);
  await click("target-add");
  // The first action that records a name asks for it once.
  const asked = await driver.findElements(css("editor-name-input"));
  if (asked.length) {
    await asked[0].sendKeys("Ana Ruiz");
    await click("editor-name-confirm");
  }
  await ui.waitText(driver, "targets-status", "Added wire");
  await ui.waitText(driver, "targets-list", "webhook");

  await click("export-preview-button");
  await ui.waitText(driver, "export-preview", "Create a new webhook post");
  assert.match(await ui.textOf(driver, "export-body"), /<p>/, "the HTML body is shown as source text");
  assert.equal(deliveries.length, 0, "a preview sends nothing");
  await driver.sleep(500); // let the X display catch up before the screenshot
  ui.screenshot("targets-preview.png");

  await click("export-send");
  await ui.waitText(driver, "targets-status", "Created webhook post");
  assert.equal(deliveries.length, 1);
  assert.ok(deliveries[0].ok, "the receiver verified the signature");
  assert.equal(deliveries[0].body.type, "story.approved");
  assert.equal(deliveries[0].body.data.ninjs.pubstatus, "usable");
  await ui.waitText(driver, "export-history", "wire · r");
  await driver.sleep(500);
  ui.screenshot("targets-sent.png");
  const rows = ui.sql(home, "SELECT action FROM target_exports");
  assert.deepEqual(rows, [["create"]]);
  assert.equal(ui.sql(home, "SELECT COUNT(*) FROM settings WHERE value LIKE '%MfKQ9r8%'")[0][0], 0, "the secret is not in SQLite");
});
