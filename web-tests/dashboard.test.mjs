// `gan serve`: a finished run renders (curves, sample grid), a run training in another
// process updates live without a reload, colour runs steer, text runs draw from prompts, and
// paths out of the runs directory are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import http from "node:http";
import { join } from "node:path";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { GAN, tempDir, trainFixture, startServer, launch, inkedPixels, screenshot } from "./helpers.mjs";

let dir, server, browser;
const EMOJI = join(process.env.GAN_SHARED_DATA || "../../shared/data", "emoji");

before(async () => {
  dir = tempDir();
  trainFixture(join(dir, "runs"), "ring-done", "ring8-ns", 600);
  // The saturating loss on ring8 collapses: the doctor diagnoses it (at step 750 to 1,250).
  trainFixture(join(dir, "runs"), "collapsing", "ring8-minimax", 2000);
  // A 28x28 generator to draw over (iGAN).
  trainFixture(join(dir, "runs"), "digits", "mnist-mlp", 20);
  // A colour run on the emoji set to steer.
  if (existsSync(EMOJI)) {
    execFileSync(GAN, ["--threads", "1", "train", "--preset", "emoji-rpgan", "--data", EMOJI, "--steps", "4", "--out", join(dir, "runs", "emoji"), "--no-progress"], { stdio: "ignore" });
    // A tiny colour StyleGAN2 run to draw over (the W projector).
    const tiny = join(dir, "tiny-stylegan2.toml");
    writeFileSync(tiny, 'batch_size = 4\n[model]\nkind = "stylegan2"\nlatent_dim = 8\nw_dim = 8\nmapping_layers = 2\nchannel_base = 64\nchannel_max = 8\n');
    execFileSync(GAN, ["--threads", "1", "train", "--preset", "emoji-stylegan2", "--data", EMOJI, "--config", tiny, "--steps", "2", "--out", join(dir, "runs", "emoji-sg2"), "--no-progress"], { stdio: "ignore" });
    // A text run (conditioned on the emojis' names) to draw designs from prompts.
    execFileSync(GAN, ["--threads", "1", "train", "--preset", "emoji-text-rpgan", "--data", EMOJI, "--steps", "4", "--out", join(dir, "runs", "emoji-text"), "--no-progress"], { stdio: "ignore" });
  }
  execFileSync(GAN, ["--threads", "1", "eval", "--run", join(dir, "runs", "ring-done")], { stdio: "ignore" });
  server = await startServer(["serve", "--runs", join(dir, "runs")]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.proc.kill();
});

// A raw request, so that `..` reaches the server as typed (browsers and fetch normalise it).
function rawGet(url, path) {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    http.get({ hostname, port, path }, (res) => { res.resume(); ok(res.statusCode); }).on("error", fail);
  });
}

test("a finished run shows its curves and sample grids", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#runs li[data-name="ring-done"]');
  await page.click('#runs li[data-name="ring-done"]');
  await page.waitForFunction(() => document.getElementById("step").textContent === "600");
  assert.ok((await inkedPixels(page, "#chart-losses")) > 500, "the loss chart is drawn");
  assert.ok((await inkedPixels(page, "#chart-scores")) > 500, "the D(x) / D(G(z)) chart is drawn");
  await page.waitForFunction(() => { const i = document.getElementById("sample"); return i.complete && i.naturalWidth > 0; });
  // An earlier grid through the slider.
  await page.$eval("#sample-step", (s) => { s.value = "0"; s.dispatchEvent(new Event("input")); });
  assert.match(await page.textContent("#sample-label"), /^step 0 \(1 of 3\)/);
  await page.waitForSelector("#eval table");
  assert.match(await page.textContent("#eval"), /modes\.covered/);
  await screenshot(page, "dashboard-finished-run");
  await page.close();
});

test("scalars of a family the charts do not know get a chart of their own, by name", async () => {
  // A run whose family reports a scalar of its own (a nested name, as `pl.penalty` is written).
  const own = join(dir, "runs", "own-scalars");
  cpSync(join(dir, "runs", "ring-done"), own, { recursive: true });
  const lines = readFileSync(join(own, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  writeFileSync(join(own, "metrics.jsonl"), lines.map((r, i) => JSON.stringify({ ...r, pl: { penalty: 1 + Math.sin(i / 3) } })).join("\n") + "\n");
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${server.url}/#run=ring-done`);
  await page.waitForFunction(() => document.getElementById("step").textContent === "600");
  assert.equal(await page.$eval("#chart-other", (c) => c.hidden), true, "a run with only known scalars has no extra chart");
  await page.goto(`${server.url}/#run=own-scalars`);
  await page.waitForFunction(() => !document.getElementById("chart-other").hidden);
  assert.ok((await inkedPixels(page, "#chart-other")) > 500, "the family's own scalar is drawn");
  await page.close();
});

test("a run training in another process updates live", async () => {
  const runs = join(dir, "runs");
  const train = spawn(GAN, ["--threads", "1", "train", "--preset", "ring8-wgan-gp", "--steps", "100000", "--out", join(runs, "live"), "--no-progress"], { stdio: "ignore" });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#runs li[data-name="live"]', { timeout: 30000 });
    await page.click('#runs li[data-name="live"]');
    await page.waitForFunction(() => +document.getElementById("step").textContent >= 50, null, { timeout: 30000 });
    const first = +(await page.textContent("#step"));
    const loads = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    await page.waitForFunction((s) => +document.getElementById("step").textContent > s, first, { timeout: 30000 });
    assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length), loads, "no reload");
    assert.equal(await page.isVisible("#run-live"), true, "marked live");
    await screenshot(page, "dashboard-live-run");
    await page.close();
  } finally {
    train.kill();
  }
});

test("a collapsing run shows the doctor's banner and its band under the curves", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${server.url}/#run=collapsing`);
  await page.waitForSelector('#doctor-banner .diagnosis[data-kind="mode-collapse"]');
  const banner = await page.textContent("#doctor-banner");
  assert.match(banner, /mode collapse since step \d+: \d of 8 modes covered/);
  assert.match(banner, /PacGAN/);
  const seg = await page.$('#doctor-band .segment[data-kind="mode-collapse"]');
  assert.ok(seg, "a collapse segment on the band");
  const box = await seg.boundingBox();
  const band = await (await page.$("#doctor-band")).boundingBox();
  assert.ok(box.width > 0.2 * band.width && box.x + box.width <= band.x + band.width + 1, "it spans from its start to the end of training");
  await screenshot(page, "dashboard-doctor");
  // A healthy run has neither.
  await page.goto(`${server.url}/#run=ring-done`);
  await page.waitForFunction(() => document.getElementById("run-name").textContent === "ring-done");
  assert.equal(await page.isVisible("#doctor-banner"), false);
  assert.equal(await page.$$eval("#doctor-band .segment", (s) => s.length), 0);
  await page.close();
});

// iGAN: strokes drawn with the mouse are projected onto the run's generator while drawing.
test("drawing on a generator run shows the closest images it can draw, and they follow the strokes", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(`${server.url}/#run=digits`);
  await page.waitForSelector("#draw-section:not([hidden])");
  const box = await page.locator("#draw-canvas").boundingBox();
  const drag = async (points) => {
    await page.mouse.move(box.x + points[0][0] * box.width, box.y + points[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 4 });
    await page.mouse.up();
  };
  const results = () => page.evaluate(() => [...document.querySelectorAll("#projected canvas")].map((c) => Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data).join(",")));
  await drag([[0.5, 0.15], [0.5, 0.85]]);
  await page.waitForFunction(() => document.querySelectorAll("#projected canvas").length === 6);
  // Wait until the answer to the finished stroke has arrived (no request in flight).
  await page.waitForFunction(() => /best loss/.test(document.getElementById("draw-status").textContent));
  await page.waitForTimeout(1500);
  const first = await results();
  await drag([[0.2, 0.5], [0.8, 0.5], [0.8, 0.2]]);
  await page.waitForFunction((before) => {
    const now = [...document.querySelectorAll("#projected canvas")].map((c) => Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data).join(","));
    return now.length === 6 && now[0] !== before[0];
  }, first, { timeout: 20000 });
  const second = await results();
  assert.notEqual(second[0], first[0], "the closest image changed with the drawing");
  assert.match(await page.textContent("#draw-status"), /closest images of step 20/);
  await screenshot(page, "dashboard-draw");
  // Runs that draw no images to draw over hide the canvas.
  await page.click('#runs li[data-name="ring-done"]');
  await page.waitForSelector("#draw-section", { state: "hidden" });
  await page.close();
});

// A colour StyleGAN2 run: a blue stroke on the canvas is projected into W, in colour.
test("drawing in colour on a StyleGAN2 run projects the drawing into W and shows it in colour", async (t) => {
  if (!existsSync(EMOJI)) { t.skip(`no emoji set at ${EMOJI} (set GAN_SHARED_DATA)`); return; }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(`${server.url}/#run=emoji-sg2`);
  await page.waitForSelector("#draw-section:not([hidden])");
  await page.fill("#draw-colour", "#3a7bd5");
  const box = await page.locator("#draw-canvas").boundingBox();
  await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.5 * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + 0.7 * box.width, box.y + 0.5 * box.height, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => /StyleGAN2 projector/.test(document.getElementById("draw-status").textContent), null, { timeout: 30000 });
  const result = await page.evaluate(() => {
    const c = document.querySelector("#projected canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) coloured++;
    return { n: document.querySelectorAll("#projected canvas").length, w: c.width, coloured };
  });
  assert.equal(result.n, 1, "the W projector answers its one best image");
  assert.equal(result.w, 64, "at the run's size");
  assert.ok(result.coloured > 100, `the result is in colour (${result.coloured} coloured pixels)`);
  assert.match(await page.textContent("#draw-status"), /emoji classifier's features/);
  // A canvas painted all over in that colour stays under the 64 KiB request limit as bytes
  // (as floats in [0, 1] it would be about 230 KiB).
  const status = await page.evaluate(async () => {
    const pixels = Array.from({ length: 64 * 64 }, () => [58, 123, 213]).flat();
    const r = await fetch("/api/runs/emoji-sg2/project", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pixels, scale: 255, width: 64, height: 64, channels: 3 }) });
    return r.status;
  });
  assert.equal(status, 200);
  await page.close();
});

// Steering a colour run toward a class of the emoji classifier, from the run page.
test("a colour run steers toward an emoji classifier's class and says what else moved", async (t) => {
  if (!existsSync(EMOJI)) { t.skip(`no emoji set at ${EMOJI} (set GAN_SHARED_DATA)`); return; }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(`${server.url}/#run=emoji`);
  await page.waitForSelector("#steer-section:not([hidden])");
  await page.selectOption("#steer-field", "skin_tone");
  await page.selectOption("#steer-class", "5");
  await page.fill("#steer-steps", "20");
  await page.click("#steer-go");
  await page.waitForFunction(() => /skin_tone = 5: \d+% → \d+% of samples read as it/.test(document.getElementById("steer-status").textContent), null, { timeout: 60000 });
  assert.match(await page.textContent("#steer-status"), /other heads changed for group \d+%, subgroup \d+%, folder \d+%/);
  const pixels = (id) => page.evaluate((id) => [...document.querySelectorAll(`#${id} canvas`)].map((c) => Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data).join(",")), id);
  const [before, after] = [await pixels("steer-before"), await pixels("steer-after")];
  assert.equal(before.length, 8);
  assert.equal(after.length, 8);
  assert.notDeepEqual(after, before, "steering moved the images");
  await screenshot(page, "dashboard-steer");
  // Grey and toy runs are not steered here.
  await page.click('#runs li[data-name="ring-done"]');
  await page.waitForSelector("#steer-section", { state: "hidden" });
  await page.close();
});

// Designs from words on a text run's page: typing a prompt draws 16 designs, another prompt
// or new seeds draw others, a prompt of unknown words is refused in one line with the nearest
// known words, and runs not trained on captions have no prompt box.
test("a text run draws 16 designs of a typed prompt, live", async (t) => {
  if (!existsSync(EMOJI)) { t.skip(`no emoji set at ${EMOJI} (set GAN_SHARED_DATA)`); return; }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(`${server.url}/#run=emoji-text`);
  await page.waitForSelector("#prompt-section:not([hidden])");
  assert.match(await page.textContent("#prompt-matcher"), /emoji/);
  const pixels = () => page.evaluate(() => [...document.querySelectorAll("#prompt-images canvas")].map((c) => Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data).join(",")));
  const drawn = (re) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById("prompt-status").textContent), re.source, { timeout: 60000 });
  // Typed, not submitted: the designs come after a pause in typing.
  await page.type("#prompt-text", "cat face with heart eyes");
  await drawn(/^16 designs of “cat face with heart eyes” \(seed 0, step 4\)/);
  const cat = await pixels();
  assert.equal(cat.length, 16);
  assert.equal(new Set(cat).size, 16, "16 latents draw 16 different designs");
  await page.fill("#prompt-text", "crying face");
  await page.press("#prompt-text", "Enter");
  await drawn(/^16 designs of “crying face” \(seed 0/);
  const crying = await pixels();
  assert.ok(crying.every((p, i) => p !== cat[i]), "another prompt draws other designs from the same latents");
  await page.fill("#prompt-text", "cat, heart");
  await page.click("#prompt-reseed");
  await drawn(/^16 designs of “cat heart” \(seed 1/);
  await screenshot(page, "dashboard-prompt");
  await page.fill("#prompt-text", "qqqzzz");
  await page.click("#prompt-go");
  await drawn(/^prompt: no word of the prompt "qqqzzz" is in the run's vocabulary of \d+ words; nearest known: \w+/);
  assert.equal(await page.$$eval("#prompt-images canvas", (c) => c.length), 16, "a refused prompt keeps the last designs");
  // Runs not trained on captions have no prompt box.
  for (const other of ["emoji", "ring-done"]) {
    await page.click(`#runs li[data-name="${other}"]`);
    await page.waitForFunction((o) => document.getElementById("run-name").textContent === o, other);
    await page.waitForSelector("#prompt-section", { state: "hidden" });
  }
  const status = await page.evaluate(async () => (await fetch("/api/runs/emoji/prompt", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt: "cat" }) })).status);
  assert.equal(status, 400);
  await page.close();
});

test("paths out of the runs directory get 400 or 404", async () => {
  for (const path of ["/runs/ring-done/../../../../etc/passwd", "/runs/../../etc/passwd", "/runs/ring-done/..%2F..%2F..%2Fetc%2Fpasswd", "/runs/..%2F..%2Fetc/passwd", "/api/runs/..%2F..%2Fetc", "/runs/ring-done/%2Fetc%2Fpasswd", "/assets/..%2F..%2FCargo.toml"]) {
    const status = await rawGet(server.url, path);
    assert.ok(status === 400 || status === 404, `${path}: ${status}`);
  }
  assert.equal(await rawGet(server.url, "/runs/ring-done/config.toml"), 200);
});
