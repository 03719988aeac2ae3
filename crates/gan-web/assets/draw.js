// iGAN on the dashboard: draw in colour on a 64x64 canvas with the mouse and the server
// projects the drawing onto the selected run's generator (POST /api/runs/NAME/project;
// resized and made grey or colour as the run draws; StyleGAN2 runs through the W
// projector), showing the closest images it can draw, best first. One request is in flight
// at a time; strokes made meanwhile are sent when it returns, so the results follow the
// drawing.

const $ = (id) => document.getElementById(id);
let run = null, busy = false, pending = false, down = false, generation = 0, last = null;

function pixels() {
  const c = $("draw-canvas"), data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const out = new Array(3 * c.width * c.height);
  for (let i = 0; i < c.width * c.height; i++) for (let k = 0; k < 3; k++) out[3 * i + k] = data[4 * i + k];
  return out;
}

function show(canvas, values, w, h, channels) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const px = [0, 1, 2].map((k) => Math.round(255 * values[channels * i + (channels === 3 ? k : 0)]));
    img.data.set([...px, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

async function send() {
  if (!run) return;
  if (busy) { pending = true; return; }
  busy = true; pending = false;
  const me = generation;
  try {
    const r = await fetch(`/api/runs/${encodeURIComponent(run)}/project`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pixels: pixels(), scale: 255, width: $("draw-canvas").width, height: $("draw-canvas").height, channels: 3 }),
    });
    const body = await r.json();
    if (me !== generation) return;
    if (!r.ok) { $("draw-status").textContent = body.error || `error ${r.status}`; return; }
    const box = $("projected");
    box.replaceChildren(...body.images.map((values, i) => {
      const c = document.createElement("canvas");
      c.className = "projected"; c.id = `projected-${i}`; c.title = `loss ${body.losses[i].toFixed(4)}`;
      show(c, values, body.width, body.height, body.channels);
      return c;
    }));
    $("draw-status").textContent = `closest images of step ${body.step}, best loss ${body.losses[0].toFixed(4)}; ${body.method}`;
  } catch (e) {
    $("draw-status").textContent = `projection failed: ${e}`;
  } finally {
    busy = false;
    if (pending) send();
  }
}

function stroke(e) {
  const c = $("draw-canvas"), r = c.getBoundingClientRect();
  const x = ((e.clientX - r.left) / r.width) * c.width, y = ((e.clientY - r.top) / r.height) * c.height;
  const ctx = c.getContext("2d");
  ctx.strokeStyle = $("draw-colour").value; ctx.lineWidth = 6.4; ctx.lineCap = "round";
  const from = last || [x, y];
  ctx.beginPath(); ctx.moveTo(from[0], from[1]); ctx.lineTo(x, y); ctx.stroke();
  last = [x, y];
  send();
}

function clear() {
  const c = $("draw-canvas"), ctx = c.getContext("2d");
  ctx.fillStyle = "#000"; ctx.fillRect(0, 0, c.width, c.height);
  $("projected").replaceChildren();
  $("draw-status").textContent = "Draw with the mouse: the closest images the generator can draw appear here.";
}

// Called when a run is selected: `drawable` says whether it generates images to draw over.
export function drawFor(name, drawable) {
  generation++;
  run = drawable ? name : null;
  $("draw-section").hidden = !drawable;
  clear();
}

export function setupDraw() {
  const c = $("draw-canvas");
  c.addEventListener("pointerdown", (e) => { down = true; c.setPointerCapture(e.pointerId); stroke(e); });
  c.addEventListener("pointermove", (e) => { if (down) stroke(e); });
  c.addEventListener("pointerup", () => { down = false; last = null; });
  $("draw-clear").addEventListener("click", clear);
  clear();
}
