// A small line chart on a <canvas>: several series of [x, y] points, shared axes,
// nice ticks, a legend. Used by the runs dashboard and the lab.

export const PALETTE = ["#2563eb", "#d9480f", "#1b9e5a", "#7b3fc4", "#0891b2", "#a16207"];

function niceStep(span, count) {
  const raw = span / Math.max(count, 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

function fmt(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Math.round(v * 1000) / 1000);
}

// Fits the canvas's backing store to its CSS size (sharp on high-DPI screens).
export function fitCanvas(canvas) {
  const r = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * r));
  const h = Math.max(1, Math.round(canvas.clientHeight * r));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return { ctx, w: w / r, h: h / r };
}

// series: [{name, color, points: [[x, y], ...]}]; opts: {title, xLabel, yMin, yMax}
export function drawChart(canvas, series, opts = {}) {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 56, r: 12, t: 26, b: 30 };
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]));
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = "#1d232b";
  if (opts.title) ctx.fillText(opts.title, pad.l, 16);
  if (all.length === 0) {
    ctx.fillStyle = "#66707c";
    ctx.fillText("no data yet", w / 2 - 30, h / 2);
    return;
  }
  let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
  let y0 = opts.yMin ?? Math.min(...all.map((p) => p[1])), y1 = opts.yMax ?? Math.max(...all.map((p) => p[1]));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const Y = (y) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.strokeStyle = "#e5e7eb";
  ctx.fillStyle = "#66707c";
  ctx.lineWidth = 1;
  const ys = niceStep(y1 - y0, 5);
  for (let v = Math.ceil(y0 / ys) * ys; v <= y1 + 1e-12; v += ys) {
    ctx.beginPath(); ctx.moveTo(pad.l, Y(v)); ctx.lineTo(w - pad.r, Y(v)); ctx.stroke();
    ctx.fillText(fmt(v), 4, Y(v) + 4);
  }
  const xs = niceStep(x1 - x0, 6);
  for (let v = Math.ceil(x0 / xs) * xs; v <= x1 + 1e-12; v += xs) {
    ctx.fillText(fmt(v), X(v) - 10, h - pad.b + 16);
  }
  if (opts.xLabel) ctx.fillText(opts.xLabel, w - pad.r - ctx.measureText(opts.xLabel).width, h - 4);
  let lx = pad.l + (opts.title ? ctx.measureText(opts.title).width + 16 : 0);
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    let started = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) { started = false; continue; }
      if (started) ctx.lineTo(X(x), Y(y)); else { ctx.moveTo(X(x), Y(y)); started = true; }
    }
    ctx.stroke();
    if (s.points.length) {
      ctx.fillStyle = color;
      ctx.fillRect(lx, 8, 10, 10);
      ctx.fillStyle = "#1d232b";
      ctx.fillText(s.name, lx + 14, 17);
      lx += ctx.measureText(s.name).width + 30;
    }
  });
}
