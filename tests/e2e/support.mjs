// What every end-to-end test needs: the real window behind tauri-driver,
// clicks and reads that survive re-renders, screenshots of the X display,
// and reads of the SQLite file.
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { openSync, mkdirSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";
import { Builder, By, until } from "selenium-webdriver";

export const root = resolve(import.meta.dirname, "../..");
export const app = process.env.BEATDESK_APP ?? join(root, "target/debug/beatdesk-app");
export const cli = join(root, "target/debug/beatdesk");
const out = join(import.meta.dirname, "output");

/** tauri-driver's output goes to a file: if it inherited the runner's pipe, a
 * leftover app process would keep that pipe open and the runner would never end. */
function driverLog() {
  mkdirSync(out, { recursive: true });
  return openSync(join(out, "tauri-driver.log"), "a");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the app on `home` through tauri-driver. `close()` ends both. */
export async function openWindow(home, env = {}) {
  assert.ok(existsSync(app), `build the app first: ${app} is missing`);
  // Free ports, so runs on one machine (or a leftover session) never meet.
  const port = await freePort();
  const nativePort = await freePort();
  const tauriDriver = spawn(join(homedir(), ".cargo/bin/tauri-driver"), ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", driverLog(), driverLog()],
    env: { ...process.env, ...env, BEATDESK_HOME: home },
  });
  await new Promise((r) => setTimeout(r, 1500));
  const caps = { browserName: "wry", "tauri:options": { application: app } };
  const driver = await new Builder().usingServer(`http://127.0.0.1:${port}/`).withCapabilities(caps).build();
  const close = async () => {
    await driver.quit().catch(() => {});
    // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver.
    tauriDriver.kill("SIGTERM");
  };
  return { driver, close, driverPid: tauriDriver.pid };
}

export const css = (id) => By.css(`[data-testid="${id}"]`);

/** Finds and clicks. The window updates elements in place (keyed patching),
 * so an element found once stays the element on screen: no stale retries. */
export async function click(driver, id) {
  const el = await driver.wait(until.elementLocated(css(id)), 15000);
  await driver.wait(until.elementIsEnabled(el), 15000);
  await el.click();
}

/** Types into the first element with this test id (replacing its text with `clear`). */
export async function type(driver, id, keys, { clear = false } = {}) {
  const el = await driver.wait(until.elementLocated(css(id)), 15000);
  if (clear) await el.clear();
  await el.sendKeys(keys);
}

/** Waits until the view has settled: no spinner, fonts loaded, two frames painted. */
export async function settle(driver) {
  await driver.wait(() => driver.executeScript("return !document.querySelector('.spinner') && !!document.querySelector('.topbar')"), 15000);
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
  );
}

/** The app process under this session's tauri-driver (tauri-driver → WebKitWebDriver → app). */
export function appPid(driverPid) {
  const children = (pid) =>
    execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map((l) => l.trim()).filter(Boolean).map(Number);
  for (const webdriver of children(driverPid)) {
    const apps = children(webdriver);
    if (apps.length) return apps[0];
  }
  return null;
}

/** textContent, read in the page: immune to re-renders and to CSS text transforms. */
export async function textOf(driver, id) {
  await driver.wait(until.elementLocated(css(id)), 15000);
  return (await driver.executeScript(`return document.querySelector('[data-testid="${id}"]')?.textContent ?? ""`)) ?? "";
}

/** Waits until the element's text contains `want`; on failure saves a screenshot. */
export async function waitText(driver, id, want) {
  let last = "";
  await driver
    .wait(async () => {
      try {
        last = await textOf(driver, id);
      } catch {
        return false;
      }
      return last.includes(want);
    }, 15000)
    .catch(() => {
      screenshot(`failed-${id}.png`);
      assert.fail(`${id} never showed ${JSON.stringify(want)}; last: ${JSON.stringify(last)}`);
    });
}

/** WebDriver's own screenshot can return a stale frame; the X root shows the real state. */
export function screenshot(name, dir = out) {
  mkdirSync(dir, { recursive: true });
  execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", join(dir, name)]);
}

/** Rows of a query on the SQLite file, with Python's sqlite3 (the app keeps it open in WAL mode). */
export function sql(home, query) {
  const script = "import json,sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(json.dumps(c.execute(sys.argv[2]).fetchall()))";
  return JSON.parse(execFileSync("python3", ["-c", script, join(home, "beatdesk.sqlite"), query], { encoding: "utf8" }));
}
