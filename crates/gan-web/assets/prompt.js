// Designs from words, for text runs: type a phrase or comma-separated keywords and the server
// draws 16 designs of it from seeded latents (POST /api/runs/NAME/prompt), redrawn as you type
// (after a short pause) or on Enter. "new seeds" draws other latents for the same prompt.

import { show } from "./steer.js";

const $ = (id) => document.getElementById(id);
const N = 16, PAUSE_MS = 350;
let run = null, generation = 0, request = 0, seed = 0, timer = null;

async function draw() {
  clearTimeout(timer);
  const prompt = $("prompt-text").value.trim();
  if (!run || !prompt) return;
  const me = ++request, forRun = generation;
  $("prompt-status").textContent = `drawing “${prompt}”…`;
  try {
    const r = await fetch(`/api/runs/${encodeURIComponent(run)}/prompt`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt, n: N, seed }),
    });
    const body = await r.json();
    if (me !== request || forRun !== generation) return;
    if (!r.ok) { $("prompt-status").textContent = body.error || `error ${r.status}`; return; }
    $("prompt-images").replaceChildren(...body.images.map((bytes, i) => {
      const c = document.createElement("canvas");
      c.className = "steered"; c.id = `prompt-${i}`;
      show(c, bytes, body.width, body.height);
      return c;
    }));
    $("prompt-status").textContent = `${body.images.length} designs of “${body.prompt}” (seed ${seed}, step ${body.step})`;
  } catch (e) {
    if (me === request) $("prompt-status").textContent = `drawing failed: ${e}`;
  }
}

// Called when a run is selected: the section shows for text-conditioned runs.
export async function promptFor(name) {
  const me = ++generation;
  run = null;
  $("prompt-section").hidden = true;
  $("prompt-images").replaceChildren();
  $("prompt-status").textContent = "";
  let r;
  try { r = await fetch(`/api/runs/${encodeURIComponent(name)}/prompt`); } catch { return; }
  if (me !== generation || !r.ok) return;
  const body = await r.json();
  run = name;
  $("prompt-matcher").textContent = `Prompts are read by ${body.matcher}; the generator is at step ${body.step}.`;
  $("prompt-section").hidden = false;
  if ($("prompt-text").value.trim()) draw();
}

export function setupPrompt() {
  $("prompt-text").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(draw, PAUSE_MS); });
  $("prompt-text").addEventListener("keydown", (e) => { if (e.key === "Enter") draw(); });
  $("prompt-go").addEventListener("click", draw);
  $("prompt-reseed").addEventListener("click", () => { seed += 1; draw(); });
}
