// Shared by the end-to-end tests: the gan binary, a server on a random port, headless
// Chromium through playwright-core, and screenshots kept as test artifacts.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const GAN = resolve(process.env.GAN_BIN || "../target/release/gan");
export const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS || "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

export function tempDir() {
  return mkdtempSync(join(tmpdir(), "gan-e2e-"));
}

// Trains a small toy run to completion (a fixture with metrics, sample plots, a checkpoint).
export function trainFixture(runs, name, preset, steps) {
  execFileSync(GAN, ["--threads", "1", "train", "--preset", preset, "--steps", String(steps), "--out", join(runs, name), "--no-progress"], { stdio: "ignore" });
}

// Starts `gan <args> --port 0` and resolves with {url, proc} once it prints its address.
export function startServer(args) {
  return new Promise((ok, fail) => {
    const proc = spawn(GAN, [...args, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => fail(new Error(`gan ${args.join(" ")} printed no address: ${out}`)), 20000);
    const read = (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/[0-9.:]+/);
      if (m) { clearTimeout(timer); ok({ url: m[0], proc }); }
    };
    proc.stdout.on("data", read);
    proc.stderr.on("data", (c) => (out += c));
    proc.on("exit", (code) => fail(new Error(`gan exited with ${code}: ${out}`)));
  });
}

// Headless Chromium on this machine now and then dies of SIGSEGV while starting (before any
// page exists, so before any of our code runs); a launch that crashes is tried again, up to
// three times, and the third failure is reported.
export async function launch() {
  const options = {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch(options);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`chromium failed to start (attempt ${attempt}): ${String(e.message).split("\n")[0]}`);
    }
  }
}

// Number of canvas pixels that are not blank (neither transparent nor white).
export async function inkedPixels(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
    return n;
  });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
