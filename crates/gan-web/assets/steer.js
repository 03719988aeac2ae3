// Steering on the dashboard, for colour runs: pick a head of the emoji classifier and one of
// its classes, and the server steers seeded latents toward it (POST /api/runs/NAME/steer),
// answering the images before and after and how far the other heads' readings moved.

const $ = (id) => document.getElementById(id);
let run = null, heads = [], generation = 0;

// Draws `bytes` (RGB, row by row) of a w x h image on `canvas`.
export function show(canvas, bytes, w, h) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) img.data.set([bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2], 255], 4 * i);
  ctx.putImageData(img, 0, 0);
}

function row(id, images, w, h) {
  $(id).replaceChildren(...images.map((bytes, i) => {
    const c = document.createElement("canvas");
    c.className = "steered"; c.id = `${id}-${i}`;
    show(c, bytes, w, h);
    return c;
  }));
}

function fillClasses() {
  const head = heads.find((h) => h.field === $("steer-field").value);
  $("steer-class").replaceChildren(...(head ? head.classes : []).map((c) => new Option(c, c)));
}

async function go() {
  if (!run) return;
  const me = generation;
  const target = `${$("steer-field").value}=${$("steer-class").value}`;
  $("steer-status").textContent = `steering toward ${target}…`;
  $("steer-go").disabled = true;
  try {
    const r = await fetch(`/api/runs/${encodeURIComponent(run)}/steer`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ target, n: 8, steps: +$("steer-steps").value }),
    });
    const body = await r.json();
    if (me !== generation) return;
    if (!r.ok) { $("steer-status").textContent = body.error || `error ${r.status}`; return; }
    row("steer-before", body.before, body.width, body.height);
    row("steer-after", body.after, body.width, body.height);
    const pct = (v) => `${Math.round(100 * v)}%`;
    const others = body.others.map((o) => `${o.field} ${pct(o.changed)}`).join(", ");
    $("steer-status").textContent = `${body.field} = ${body.class_name}: ${pct(body.share_before)} → ${pct(body.share_after)} of samples read as it (step ${body.step}); other heads changed for ${others}`;
  } catch (e) {
    $("steer-status").textContent = `steering failed: ${e}`;
  } finally {
    $("steer-go").disabled = false;
  }
}

// Called when a run is selected: the section shows when the server can steer the run.
export async function steerFor(name) {
  const me = ++generation;
  run = null;
  $("steer-section").hidden = true;
  $("steer-before").replaceChildren();
  $("steer-after").replaceChildren();
  $("steer-status").textContent = "";
  let r;
  try { r = await fetch(`/api/runs/${encodeURIComponent(name)}/steer`); } catch { return; }
  if (me !== generation || !r.ok) return;
  const body = await r.json();
  heads = body.heads;
  run = name;
  $("steer-field").replaceChildren(...heads.map((h) => new Option(`${h.field} (${Math.round(100 * h.accuracy)}% held out)`, h.field)));
  fillClasses();
  $("steer-classifier").textContent = body.classifier;
  $("steer-section").hidden = false;
}

export function setupSteer() {
  $("steer-field").addEventListener("change", fillClasses);
  $("steer-go").addEventListener("click", go);
}
