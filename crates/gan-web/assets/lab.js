// The lab page: settings, play/pause/step controls, and a view of the session's frames as
// the server streams them (real and fake points, D's heatmap, G's gradients, the manifold,
// curves and mode metrics).
import { drawChart, fitCanvas } from "./chart.js";

const $ = (id) => document.getElementById(id);
const REAL = [27, 158, 90], FAKE = [123, 63, 196];
const DRAWN_EXTENT = [-1.5, 1.5];
let msg = null;        // the latest stream message
let history = [];      // the session's records
let session = 0;
let config = null;     // the session's settings, as the server runs them
let drawn = [];        // points drawn with the mouse, in data units
let applying = 0;      // settings changes under way: the stream must not overwrite the form

async function post(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const out = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(out.error || `${url}: ${r.status}`);
  return out;
}

const control = (action) => post("/api/lab/control", { action }).catch((e) => ($("error").textContent = e.message));

function fillControls(c) {
  $("data").value = c.data.kind === "drawn" ? "drawn" : c.data.dist;
  if (c.data.kind === "drawn") drawn = c.data.points.slice();
  for (const k of ["loss", "optimizer", "lr_g", "lr_d", "d_steps", "g_steps", "batch_size", "seed"]) $(k).value = c[k];
  $("g_hidden").value = c.g_hidden.join(",");
  $("d_hidden").value = c.d_hidden.join(",");
  $("draw-help").hidden = $("data").value !== "drawn";
}

function dataSpec() {
  const v = $("data").value;
  return v === "drawn" ? { kind: "drawn", points: drawn } : { kind: "toy", dist: v };
}

const sizes = (s) => s.split(/[\s,]+/).filter(Boolean).map(Number);

async function apply(base) {
  $("error").textContent = "";
  const c = {
    ...(base || config),
    data: dataSpec(),
    loss: $("loss").value,
    optimizer: $("optimizer").value,
    lr_g: +$("lr_g").value, lr_d: +$("lr_d").value,
    d_steps: +$("d_steps").value, g_steps: +$("g_steps").value,
    g_hidden: sizes($("g_hidden").value), d_hidden: sizes($("d_hidden").value),
    batch_size: +$("batch_size").value, seed: +$("seed").value,
  };
  if (c.data.kind === "drawn" && drawn.length < 2) {
    $("error").textContent = "Draw at least 2 points on the plot first.";
    return;
  }
  applying++;
  try { await post("/api/lab/config", c); } catch (e) { $("error").textContent = e.message; } finally { applying--; }
}

// Data or loss changed: start from the recommended settings for that loss.
async function recommend() {
  $("draw-help").hidden = $("data").value !== "drawn";
  const dist = $("data").value === "drawn" ? "ring8" : $("data").value;
  applying++;
  try {
    const r = await (await fetch(`/api/lab/recommended?loss=${$("loss").value}&dist=${dist}`)).json();
    for (const k of ["optimizer", "lr_g", "lr_d", "d_steps", "g_steps"]) $(k).value = r[k];
    await apply(r);
  } finally { applying--; }
}

function view() {
  const { ctx, w, h } = fitCanvas($("view"));
  const [lo, hi] = msg ? msg.frame.extent : DRAWN_EXTENT;
  return { ctx, w, h, lo, hi, X: (x) => ((x - lo) / (hi - lo)) * w, Y: (y) => h - ((y - lo) / (hi - lo)) * h };
}

function shade(t) {
  // 0: fake colour, 0.5: white, 1: real colour.
  const c = t < 0.5 ? FAKE : REAL, a = Math.min(1, Math.abs(t - 0.5) * 2);
  return c.map((v) => Math.round(255 + (v - 255) * a * 0.55));
}

function normalised(field) {
  if (field.probability) return field.values;
  const lo = Math.min(...field.values), hi = Math.max(...field.values);
  return field.values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5));
}

function dots(ctx, pts, X, Y, color, r) {
  ctx.fillStyle = color;
  for (let i = 0; i + 1 < pts.length; i += 2) {
    ctx.beginPath(); ctx.arc(X(pts[i]), Y(pts[i + 1]), r, 0, 2 * Math.PI); ctx.fill();
  }
}

function draw2d(f) {
  const { ctx, w, h, X, Y } = view();
  ctx.clearRect(0, 0, w, h);
  if (f && $("show-field").checked) {
    const n = f.field.n, vals = normalised(f.field);
    const img = new ImageData(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const [R, G, B] = shade(vals[r * n + c]), i = ((n - 1 - r) * n + c) * 4;
      img.data.set([R, G, B, 255], i);
    }
    const off = new OffscreenCanvas(n, n);
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, w, h);
  }
  if (f && $("show-manifold").checked) {
    ctx.strokeStyle = "rgba(60,60,60,0.35)";
    ctx.lineWidth = 1;
    for (const line of f.manifold) {
      ctx.beginPath();
      for (let i = 0; i + 1 < line.length; i += 2) (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(line[i]), Y(line[i + 1]));
      ctx.stroke();
    }
  }
  if (f && $("show-real").checked) dots(ctx, f.real, X, Y, "rgba(27,158,90,0.85)", 2.2);
  if (f && $("show-fake").checked) dots(ctx, f.fake, X, Y, "rgba(123,63,196,0.85)", 2.2);
  if (f && $("show-arrows").checked) {
    let max = 0;
    for (let i = 0; i + 1 < f.arrows.length; i += 2) max = Math.max(max, Math.hypot(f.arrows[i], f.arrows[i + 1]));
    ctx.strokeStyle = "rgba(40,20,80,0.7)";
    ctx.lineWidth = 1;
    for (let i = 0; i + 1 < Math.min(f.arrows.length, 400); i += 2) {
      const x = X(f.fake[i]), y = Y(f.fake[i + 1]);
      const s = max > 0 ? 22 / max : 0, dx = f.arrows[i] * s, dy = -f.arrows[i + 1] * s;
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + dx, y + dy); ctx.stroke();
    }
  }
  if ($("data").value === "drawn") dots(ctx, drawn.flat(), X, Y, "#111", 3);
}

function draw1d(f) {
  const { ctx, w, h, lo, hi, X } = view();
  ctx.clearRect(0, 0, w, h);
  const bars = (d, rgb) => {
    const max = Math.max(...f.histogram.real, ...f.histogram.fake, 1e-9), bw = w / d.length;
    ctx.fillStyle = `rgba(${rgb},0.45)`;
    d.forEach((v, i) => ctx.fillRect(i * bw, h - (v / max) * h * 0.8, bw - 1, (v / max) * h * 0.8));
  };
  if ($("show-real").checked) bars(f.histogram.real, REAL.join(","));
  if ($("show-fake").checked) bars(f.histogram.fake, FAKE.join(","));
  if ($("show-field").checked) {
    const vals = normalised(f.field), n = vals.length;
    ctx.strokeStyle = "#111"; ctx.lineWidth = 2;
    ctx.beginPath();
    vals.forEach((v, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(lo + ((i + 0.5) * (hi - lo)) / n), h - v * h * 0.9 - 4));
    ctx.stroke();
    ctx.fillStyle = "#111"; ctx.font = "12px system-ui"; ctx.fillText(f.field.probability ? "D(x)" : "critic (scaled)", 8, 16);
  }
}

function render() {
  const f = msg && msg.frame;
  if (f && f.dim === 1) draw1d(f); else draw2d(f);
  if (!f) return;
  $("updates").textContent = `${f.d_updates} / ${f.g_updates}`;
  $("modes").textContent = f.modes ? `${f.modes.covered} / ${f.modes.modes}` : "–";
  $("hq").textContent = f.modes ? `${(100 * f.modes.high_quality).toFixed(1)}%` : "–";
  $("play").textContent = msg.playing ? "Pause" : "Play";
  const pts = (k) => history.filter((r) => r[k] != null).map((r) => [r.g_updates, r[k]]);
  const losses = [{ name: "D loss", points: pts("d_loss") }, { name: "G loss", points: pts("g_loss") }];
  if (config && config.loss === "wgan-gp") losses.push({ name: "penalty", points: pts("penalty") });
  drawChart($("chart-loss"), losses, { title: "losses", xLabel: "G updates" });
  drawChart($("chart-modes"), [
    { name: "modes covered", points: pts("modes_covered") },
    { name: "HQ %", points: history.filter((r) => r.high_quality != null).map((r) => [r.g_updates, 100 * r.high_quality]) },
  ], { title: "mode metrics", xLabel: "G updates", yMin: 0 });
}

function listen() {
  const es = new EventSource("/api/lab/stream");
  es.addEventListener("frame", (e) => {
    msg = JSON.parse(e.data);
    // A step that failed while playing (the server restarted the session).
    if (msg.error) $("error").textContent = msg.error;
    history = msg.restart ? msg.history : history.concat(msg.history);
    if (msg.session !== session) {
      session = msg.session;
      config = msg.config;
      if (!applying) fillControls(config);
    }
    render();
  });
}

function addPoint(ev) {
  if ($("data").value !== "drawn") return;
  const rect = $("view").getBoundingClientRect(), [lo, hi] = DRAWN_EXTENT;
  const x = lo + ((ev.clientX - rect.left) / rect.width) * (hi - lo), y = hi - ((ev.clientY - rect.top) / rect.height) * (hi - lo);
  if (x > lo && x < hi && y > lo && y < hi && drawn.length < 2000) drawn.push([x, y]);
  render();
}

let drawing = false;
$("view").addEventListener("mousedown", (e) => { drawing = true; addPoint(e); });
$("view").addEventListener("mousemove", (e) => { if (drawing) addPoint(e); });
window.addEventListener("mouseup", () => (drawing = false));
$("clear-points").onclick = () => { drawn = []; render(); };
$("data").onchange = () => { if ($("data").value === "drawn") { drawn = []; $("draw-help").hidden = false; render(); } else recommend(); };
$("loss").onchange = recommend;
$("apply").onclick = () => apply();
$("play").onclick = () => control(msg && msg.playing ? "pause" : "play");
$("step").onclick = () => control("step");
$("step-d").onclick = () => control("step-d");
$("step-g").onclick = () => control("step-g");
$("reset").onclick = () => control("reset");
for (const id of ["show-field", "show-arrows", "show-manifold", "show-real", "show-fake"]) $(id).onchange = render;
$("export-png").onclick = () => {
  const a = document.createElement("a");
  a.download = `gan-lab-${exportName()}.png`;
  a.href = $("view").toDataURL("image/png");
  a.click();
};
const exportName = () => (msg ? `${config.loss}-${msg.frame.g_updates}` : "empty");
window.addEventListener("resize", render);
listen();
