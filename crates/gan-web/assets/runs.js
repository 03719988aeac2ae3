// The runs dashboard: a list of runs; for the chosen one its curves, samples, evaluation and
// configuration, kept current by the run's event stream (no reloads).
import { drawChart } from "./chart.js";
import { drawFor, setupDraw } from "./draw.js";
import { setupSteer, steerFor } from "./steer.js";
import { setupPrompt, promptFor } from "./prompt.js";

const $ = (id) => document.getElementById(id);
let current = null; // {name, metrics, samples, eval, diagnoses, live}
let source = null;
let followLatest = true;
let selecting = 0; // the latest select() call wins

const CHARTS = [
  ["chart-losses", "losses", [["d_loss", "D / critic"], ["g_loss", "G"], ["vae.loss", "-ELBO"], ["vae.reconstruction", "reconstruction"], ["vae.kl", "KL"], ["translation.l1", "L1 to target"], ["translation.cycle", "cycle L1"], ["translation.identity", "identity L1"]]],
  ["chart-scores", "D(x) and D(G(z))", [["d_real", "D(x)"], ["d_fake", "D(G(z))"]]],
  ["chart-critic", "critic", [["wasserstein", "EM estimate"], ["penalty", "gradient penalty"]]],
];

const get = (obj, path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

// Every scalar a record holds, by dotted name (a family's own scalars included).
const BOOKKEEPING = new Set(["step", "epoch", "steps_per_sec"]);
function scalarNames(record, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (!prefix && BOOKKEEPING.has(k)) continue;
    if (typeof v === "number") out.push(name);
    else if (v && typeof v === "object") out.push(...scalarNames(v, name));
  }
  return out;
}
const CHARTED = new Set(CHARTS.flatMap(([, , fields]) => fields.map(([f]) => f)).concat(["d_grad_norm", "g_grad_norm"]));

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

async function loadList() {
  let runs;
  try { runs = await json("/api/runs"); } catch { return; }
  const ul = $("runs");
  ul.innerHTML = "";
  if (runs.length === 0) ul.innerHTML = '<li class="empty">No runs in this directory yet.</li>';
  for (const r of runs) {
    const li = document.createElement("li");
    li.dataset.name = r.name;
    li.className = current && current.name === r.name ? "selected" : "";
    li.innerHTML = `<div class="name"></div><div class="meta">step ${r.step} · ${r.samples} grids</div>`;
    li.querySelector(".name").textContent = r.name;
    if (r.live) li.querySelector(".name").insertAdjacentHTML("beforeend", '<span class="badge live">live</span>');
    if (r.evaluated) li.querySelector(".name").insertAdjacentHTML("beforeend", '<span class="badge">eval</span>');
    li.onclick = () => { location.hash = "run=" + encodeURIComponent(r.name); };
    ul.appendChild(li);
  }
  if (!current && runs.length && !location.hash) location.hash = "run=" + encodeURIComponent(runs[0].name);
}

function renderCurves() {
  const m = current.metrics;
  const last = m[m.length - 1];
  $("step").textContent = last ? last.step : 0;
  $("speed").textContent = last && last.steps_per_sec ? last.steps_per_sec.toFixed(1) : "–";
  $("records").textContent = m.length;
  // Scalars of other families (or new ones) get a chart of their own, by name.
  const others = [...new Set(m.flatMap((r) => scalarNames(r)))].filter((n) => !CHARTED.has(n)).map((n) => [n, n]);
  for (const [id, title, fields] of [...CHARTS, ["chart-other", "other scalars", others]]) {
    const series = fields
      .map(([f, name]) => ({ name, points: m.filter((r) => get(r, f) != null).map((r) => [r.step, get(r, f)]) }))
      .filter((s) => s.points.length);
    $(id).hidden = series.length === 0;
    if (series.length) drawChart($(id), series, { title, xLabel: "step" });
  }
}

function renderSamples() {
  const s = current.samples;
  $("no-samples").hidden = s.length > 0;
  $("sample-box").hidden = s.length === 0;
  if (!s.length) return;
  const slider = $("sample-step");
  slider.max = s.length - 1;
  if (followLatest) slider.value = s.length - 1;
  showSample();
}

function showSample() {
  const s = current.samples[+$("sample-step").value];
  if (!s) return;
  $("sample-label").textContent = `step ${s.step} (${+$("sample-step").value + 1} of ${current.samples.length})`;
  const src = `/runs/${encodeURIComponent(current.name)}/${s.file.split("/").map(encodeURIComponent).join("/")}`;
  if ($("sample").getAttribute("src") !== src) $("sample").src = src;
}

function flatten(obj, prefix = "", out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else if (typeof v === "number" || typeof v === "string") out.push([key, typeof v === "number" && !Number.isInteger(v) ? v.toPrecision(4) : v]);
  }
  return out;
}

function renderEval() {
  const box = $("eval");
  if (!current.eval) return;
  const table = document.createElement("table");
  table.className = "kv";
  for (const [k, v] of flatten(current.eval)) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  box.replaceChildren(table);
}

async function select(name) {
  const me = ++selecting;
  if (source) source.close();
  source = null;
  followLatest = true;
  let d;
  try { d = await json(`/api/runs/${encodeURIComponent(name)}`); } catch { d = null; }
  if (me !== selecting) return;
  if (!d) { current = null; $("run-body").hidden = true; $("no-run").hidden = false; return; }
  current = d;
  $("no-run").hidden = true;
  $("run-body").hidden = false;
  $("run-name").textContent = d.name;
  $("run-live").hidden = !d.live;
  $("config").textContent = d.config;
  $("eval").innerHTML = '<p class="empty">Not evaluated yet: <code>gan eval --run DIR</code>.</p>';
  renderCurves();
  renderSamples();
  renderEval();
  renderDoctor();
  drawFor(d.name, !/^kind = "(toy|pix2pix|cyclegan)"/m.test(d.config));
  steerFor(d.name);
  promptFor(d.name);
  for (const li of document.querySelectorAll("#runs li")) li.classList.toggle("selected", li.dataset.name === name);
  source = new EventSource(`/api/runs/${encodeURIComponent(name)}/events?from=${d.offset}`);
  source.addEventListener("metrics", (e) => { current.metrics.push(...JSON.parse(e.data)); $("run-live").hidden = false; renderCurves(); renderDoctor(); });
  source.addEventListener("samples", (e) => { current.samples = JSON.parse(e.data); renderSamples(); });
  source.addEventListener("eval", (e) => { current.eval = JSON.parse(e.data); renderEval(); });
  source.addEventListener("diagnoses", (e) => { current.diagnoses = JSON.parse(e.data); renderDoctor(); });
  source.addEventListener("live", (e) => { $("run-live").hidden = !JSON.parse(e.data); });
  source.addEventListener("reset", () => select(name));
}

// The doctor: a banner for the diagnoses active now, and a band under the loss curves with
// one segment per diagnosis, from the step it began to the step it cleared (or the last step).
function renderDoctor() {
  const all = current.diagnoses || [];
  const active = new Map();
  const spans = [];
  for (const d of all) {
    if (d.transition === "started") active.set(d.kind, d);
    else { active.delete(d.kind); spans.push({ ...d, end: d.step }); }
  }
  const last = current.metrics.length ? current.metrics[current.metrics.length - 1].step : 0;
  for (const d of active.values()) spans.push({ ...d, end: Math.max(last, d.step) });
  const banner = $("doctor-banner");
  banner.hidden = active.size === 0;
  banner.replaceChildren(...[...active.values()].map((d) => {
    const p = document.createElement("p");
    p.className = "diagnosis";
    p.dataset.kind = d.kind;
    p.textContent = `${d.kind.replace(/-/g, " ")} since step ${d.since_step}: ${d.evidence}. Try: ${d.advice}.`;
    return p;
  }));
  const band = $("doctor-band");
  const total = Math.max(last, ...spans.map((s) => s.end), 1);
  band.replaceChildren(...spans.map((s) => {
    const seg = document.createElement("div");
    seg.className = `segment ${s.kind}`;
    seg.dataset.kind = s.kind;
    seg.style.left = `${(100 * s.since_step) / total}%`;
    seg.style.width = `${Math.max(0.5, (100 * (s.end - s.since_step)) / total)}%`;
    seg.title = `${s.kind.replace(/-/g, " ")}: steps ${s.since_step}-${s.end}: ${s.evidence}`;
    return seg;
  }));
}

function fromHash() {
  const m = location.hash.match(/run=([^&]+)/);
  if (m) select(decodeURIComponent(m[1]));
}

$("sample-step").addEventListener("input", () => {
  followLatest = +$("sample-step").value === current.samples.length - 1;
  showSample();
});
window.addEventListener("hashchange", fromHash);
window.addEventListener("resize", () => current && renderCurves());
setupDraw();
setupSteer();
setupPrompt();
loadList().then(fromHash);
setInterval(loadList, 3000);
