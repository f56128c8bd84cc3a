// Regenerates docs/screenshots/: the main views of the window on the demo
// beat, light and dark, each taken after the view has settled.
// Run with scripts/screenshots.sh (it starts Xvfb).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import * as ui from "./support.mjs";

const dir = join(ui.root, "docs/screenshots");
const home = mkdtempSync(join(tmpdir(), "beatdesk-shots-"));
execFileSync(ui.cli, ["--home", home, "demo"]);
execFileSync("python3", ["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(\"INSERT OR REPLACE INTO settings(key,value) VALUES('editor_name','Ana Ruiz')\")\nc.commit()", join(home, "beatdesk.sqlite")]);

async function shoot(driver, name) {
  await ui.settle(driver);
  ui.screenshot(name, dir);
  console.log(`docs/screenshots/${name}`);
}

async function session(env, f) {
  const { driver, close } = await ui.openWindow(home, { NO_PROXY: "127.0.0.1", ...env });
  try {
    await driver.wait(until.elementLocated(ui.css("headline")), 20000);
    await f(driver);
  } finally {
    await close();
  }
}

await session({}, async (driver) => {
  await shoot(driver, "desk.png");
  const cite = await driver.findElement(ui.css("cite"));
  await cite.click();
  await shoot(driver, "source-evidence.png");
  await ui.click(driver, "edit");
  // Edit selects the headline: go to its end before typing.
  await ui.type(driver, "edit-headline", "\uE010 (corrected figure)");
  await shoot(driver, "editor.png");
  await ui.click(driver, "save");
  await ui.waitText(driver, "revision", "Revision 2");
  await ui.click(driver, "tab-history");
  await ui.click(driver, "compare");
  await driver.wait(until.elementLocated(By.css(".diff")), 10000);
  await shoot(driver, "compare.png");
  await ui.click(driver, "close-revision");
  await ui.click(driver, "new-beat");
  await shoot(driver, "new-beat.png");
  await driver.actions().sendKeys("\uE00C").perform();
  await driver.executeScript("document.activeElement.blur()");
  await driver.actions().sendKeys("?").perform();
  await shoot(driver, "shortcuts.png");
});

// WebKitGTK follows the GTK theme for prefers-color-scheme.
await session({ GTK_THEME: "Adwaita:dark" }, async (driver) => {
  await shoot(driver, "desk-dark.png");
});
