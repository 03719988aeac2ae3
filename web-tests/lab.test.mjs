// `gan lab`: the page draws a session; picking ring8 + WGAN-GP and pressing play makes the
// mode metrics climb to all 8 modes; single steps move only the network they name; the
// curves export as CSV.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { tempDir, startServer, launch, inkedPixels, screenshot } from "./helpers.mjs";

let server, browser, page;

before(async () => {
  server = await startServer(["lab", "--runs", tempDir()]);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/lab`);
  await page.waitForFunction(() => document.getElementById("modes").textContent !== "–");
});

after(async () => {
  await browser?.close();
  server?.proc.kill();
});

const updates = async () => (await page.textContent("#updates")).split(" / ").map(Number);

test("single steps update only the network they name", async () => {
  const [d0, g0] = await updates();
  await page.click("#step-d");
  await page.waitForFunction((d) => +document.getElementById("updates").textContent.split(" / ")[0] === d + 1, d0);
  assert.deepEqual(await updates(), [d0 + 1, g0]);
  await page.click("#step-g");
  await page.waitForFunction((g) => +document.getElementById("updates").textContent.split(" / ")[1] === g + 1, g0);
  assert.deepEqual(await updates(), [d0 + 1, g0 + 1]);
});

test("ring8 with WGAN-GP covers all 8 modes within a minute of play", async () => {
  await page.selectOption("#data", "ring8");
  await page.selectOption("#loss", "wgan-gp");
  // The recommended WGAN-GP settings arrive and a new session starts (5 critic steps).
  await page.waitForFunction(() => document.getElementById("d_steps").value === "5" && document.getElementById("updates").textContent === "0 / 0");
  const before = await page.textContent("#modes");
  await page.click("#play");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Pause");
  const started = Date.now();
  await page.waitForFunction((b) => document.getElementById("modes").textContent !== b, before, { timeout: 60000 });
  await page.waitForFunction(() => document.getElementById("modes").textContent === "8 / 8", null, { timeout: 60000, polling: 200 });
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `8 modes after ${seconds} s`);
  await page.click("#play");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Play");
  assert.ok((await inkedPixels(page, "#view")) > 10000, "the heatmap and points are drawn");
  assert.ok((await inkedPixels(page, "#chart-modes")) > 300, "the mode curve is drawn");
  await screenshot(page, "lab-ring8-wgan-gp");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-png")]);
  const png = await readFile(await download.path());
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.match(download.suggestedFilename(), /^gan-lab-wgan-gp-\d+\.png$/);
});

test("the curves export as CSV and bad settings are refused by name", async () => {
  const curves = async () => (await page.evaluate(async () => (await fetch("/api/lab/curves.csv")).text())).trim().split("\n");
  // On a fast machine the 8 modes can arrive within a few frames: play on until the session
  // has recorded a handful of them (one record per frame).
  if ((await curves()).length <= 5) {
    await page.click("#play");
    await page.waitForFunction(() => document.getElementById("play").textContent === "Pause");
    for (let tries = 0; tries < 150 && (await curves()).length <= 5; tries++) await page.waitForTimeout(200);
    await page.click("#play");
    await page.waitForFunction(() => document.getElementById("play").textContent === "Play");
  }
  const lines = await curves();
  assert.equal(lines[0], "d_updates,g_updates,d_loss,g_loss,d_real,d_fake,wasserstein,penalty,modes_covered,high_quality");
  assert.ok(lines.length > 5, `${lines.length} lines`);
  const last = lines.at(-1).split(",");
  assert.equal(Number(last[0]), 5 * Number(last[1]), "five critic updates per generator update");
  await page.fill("#lr_d", "0");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("error").textContent.includes("lr_d"));
});

test("the 1-D normal draws histograms and D(x)", async () => {
  await page.fill("#lr_d", "0.001");
  await page.selectOption("#loss", "non-saturating");
  await page.waitForFunction(() => document.getElementById("d_steps").value === "1");
  await page.selectOption("#data", "normal");
  await page.waitForFunction(() => document.getElementById("modes").textContent.endsWith(" / 1")).catch(async (e) => {
    await screenshot(page, "lab-normal-failed");
    throw new Error(`${e.message}: modes ${await page.textContent("#modes")}, error ${await page.textContent("#error")}`);
  });
  await page.click("#play");
  await page.waitForFunction(() => +document.getElementById("updates").textContent.split(" / ")[1] > 200, null, { timeout: 30000 });
  await page.click("#play");
  assert.ok((await inkedPixels(page, "#view")) > 2000);
  await screenshot(page, "lab-normal-1d");
});

test("points drawn with the mouse become the real data", async () => {
  await page.selectOption("#data", "drawn");
  const box = await page.locator("#view").boundingBox();
  for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.75], [0.32, 0.3]]) {
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  }
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("updates").textContent === "0 / 0" && document.getElementById("modes").textContent === "–");
  const frame = await page.evaluate(async () => (await fetch("/api/lab/frame")).json());
  assert.equal(frame.config.data.kind, "drawn");
  assert.equal(frame.config.data.points.length, 4);
  // The real points cluster around the clicks: the first click is at about (-0.6, 0.6).
  const near = frame.frame.real.filter((_, i) => i % 2 === 0).filter((x, i) => Math.hypot(x + 0.6, frame.frame.real[2 * i + 1] - 0.6) < 0.2);
  assert.ok(near.length > 150, `${near.length} real points near the first clicks`);
  await page.click("#step");
  await page.waitForFunction(() => document.getElementById("updates").textContent === "1 / 1");
  await screenshot(page, "lab-drawn");
});
