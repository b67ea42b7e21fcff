// Small live line plots on <canvas> (no library): the last 60 values of one
// figure, scaled to their own maximum, with the latest value written on top.
// Colours come from the canvas's CSS (color, --plot-fill, --plot-grid), so
// the plots follow the light or dark theme. The canvas keeps the latest value
// in data-last and a text alternative in aria-label for screen readers.

export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

// Draws `values` (oldest first, null for a gap) on `canvas`, `capacity`
// slots wide. label: what is plotted ("Receive bitrate"); unit: "kbit/s".
export function drawPlot(canvas, values, { label, unit, capacity = 60 }) {
  const last = values.length ? values[values.length - 1] : null;
  canvas.dataset.last = last === null ? '' : String(last);
  canvas.setAttribute('aria-label', `${label}: ${formatValue(last, unit)} now, last ${values.length} seconds`);
  const ratio = globalThis.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 160;
  const cssH = canvas.clientHeight || 48;
  if (canvas.width !== Math.round(cssW * ratio) || canvas.height !== Math.round(cssH * ratio)) {
    canvas.width = Math.round(cssW * ratio);
    canvas.height = Math.round(cssH * ratio);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(canvas);
  const line = style.color || '#2b6cb0';
  const fill = style.getPropertyValue('--plot-fill').trim() || 'rgba(43,108,176,0.15)';
  const grid = style.getPropertyValue('--plot-grid').trim() || 'rgba(128,128,128,0.3)';
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const top = 14;  // room for the text
  const h = cssH - top - 2;
  const max = Math.max(...values.filter((v) => v !== null), 0) * 1.15 || 1;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, top + h + 0.5);
  ctx.lineTo(cssW, top + h + 0.5);
  ctx.stroke();
  const step = cssW / Math.max(1, capacity - 1);
  const x0 = cssW - (values.length - 1) * step;
  const y = (v) => top + h - (v / max) * h;
  // One path per run of known values.
  let run = [];
  const flush = () => {
    if (run.length === 0) return;
    ctx.beginPath();
    run.forEach(([x, v], i) => (i ? ctx.lineTo(x, y(v)) : ctx.moveTo(x, y(v))));
    ctx.strokeStyle = line;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.lineTo(run[run.length - 1][0], top + h);
    ctx.lineTo(run[0][0], top + h);
    ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    run = [];
  };
  values.forEach((v, i) => (v === null ? flush() : run.push([x0 + i * step, v])));
  if (run.length === 1) run.push([run[0][0] + 1, run[0][1]]);
  flush();
  ctx.fillStyle = line;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillText(`${label} ${formatValue(last, unit)}`, 2, 1);
}
