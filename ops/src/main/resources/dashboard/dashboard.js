// selfstream dashboard: polls /api/state and redraws the charts (Chart.js, served from the jar).
'use strict';

const POLL_MS = 1500;
const COLORS = {
  source: '#6b7280', tent: '#f59e0b', selftrain: '#3b82f6', selfstream: '#dc2626',
  framesPerS: '#059669', viewsPerS: '#7c3aed', scoringLag: '#111827',
};
const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2',
  '#65a30d', '#9333ea', '#ea580c', '#0d9488', '#4f46e5', '#be123c', '#a16207', '#15803d'];

function color(name) {
  if (COLORS[name]) return COLORS[name];
  let h = 0;
  for (const c of String(name)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

// vertical lines with the new domain's name where the stream changed domain
const boundaryPlugin = {
  id: 'boundaries',
  afterDatasetsDraw(chart) {
    const marks = chart.options.plugins.boundaries && chart.options.plugins.boundaries.marks;
    if (!marks || !marks.length) return;
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    ctx.strokeStyle = 'rgba(0,0,0,.35)';
    ctx.fillStyle = '#444';
    ctx.font = '11px system-ui, sans-serif';
    ctx.setLineDash([4, 3]);
    for (const m of marks) {
      const x = scales.x.getPixelForValue(m.t);
      if (x < chartArea.left || x > chartArea.right) continue;
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.save();
      ctx.translate(x + 3, chartArea.top + 2);
      ctx.rotate(Math.PI / 2);
      ctx.fillText(m.domain, 0, 0);
      ctx.restore();
    }
    ctx.restore();
  },
};

function lineChart(id, yTitle, extra) {
  return new Chart(document.getElementById(id), {
    type: 'line',
    data: { datasets: [] },
    options: Object.assign({
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      spanGaps: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'seconds' } },
        y: { title: { display: true, text: yTitle }, beginAtZero: true },
      },
      plugins: { legend: { position: 'bottom' }, boundaries: { marks: [] } },
    }, extra || {}),
    plugins: [boundaryPlugin],
  });
}

const charts = {
  error: lineChart('error', 'error %'),
  pseudo: lineChart('pseudo', '%'),
  versions: lineChart('versions', 'version'),
  updates: lineChart('updates', 'bytes'),
  throughput: lineChart('throughput', 'per second'),
  latency: lineChart('latency', 'ms / frames'),
};
window.dashboardCharts = charts; // for the browser test and the console
window.dashboardUpdates = 0;

function points(t, ys) {
  const out = [];
  (ys || []).forEach((y, i) => { if (y !== null && y !== undefined) out.push({ x: t[i], y: y }); });
  return out;
}

// replaces the chart's datasets by label, keeping Chart.js's own objects where they exist
function setSeries(chart, series, marks) {
  const byLabel = new Map(chart.data.datasets.map((d) => [d.label, d]));
  chart.data.datasets = series.map((s) => {
    const d = byLabel.get(s.label) || { label: s.label };
    d.data = s.data;
    d.borderColor = s.color;
    d.backgroundColor = s.color;
    d.borderDash = s.dash || [];
    d.stepped = !!s.stepped;
    d.pointRadius = s.data.length < 40 ? 2 : 0;
    d.borderWidth = s.width || 2;
    d.yAxisID = s.axis || 'y';
    return d;
  });
  chart.options.plugins.boundaries.marks = marks || [];
  chart.update('none');
}

function render(s) {
  const t = s.t;
  const marks = s.boundaries;
  const errors = [];
  for (const [m, v] of Object.entries(s.methods)) {
    errors.push({ label: m, data: points(t, v.error), color: color(m), width: 2.5 });
    errors.push({ label: m + ' (interval)', data: points(t, v.window), color: color(m), dash: [5, 4], width: 1 });
  }
  setSeries(charts.error, errors, marks);

  const tr = Object.entries(s.trainers);
  // pseudo-labels: confident share (rate, dashed) and accuracy against ground truth (solid)
  const pseudo = [];
  for (const [m, v] of tr) {
    pseudo.push({ label: m + ' rate', data: points(t, v.pseudoLabelRate), color: color(m), dash: [5, 4], width: 1.5 });
    pseudo.push({ label: m + ' accuracy', data: points(t, v.pseudoLabelAccuracy), color: color(m), width: 2.5 });
  }
  setSeries(charts.pseudo, pseudo, marks);
  setSeries(charts.versions, tr.map(([m, v]) => ({ label: m, data: points(t, v.version), color: color(m), stepped: true })), marks);
  const updates = [];
  for (const [m, v] of tr) {
    updates.push({ label: m + ' delta', data: points(t, v.deltaBytes), color: color(m) });
    updates.push({ label: m + ' full', data: points(t, v.fullBytes), color: color(m), dash: [5, 4] });
  }
  setSeries(charts.updates, updates, marks);
  const p = s.pipeline;
  setSeries(charts.throughput, [
    { label: 'frames/s', data: points(t, p.framesPerS), color: color('framesPerS') },
    { label: 'views/s', data: points(t, p.viewsPerS), color: color('viewsPerS') },
  ].concat(tr.map(([m, v]) => ({ label: m + ' samples/s', data: points(t, v.samplesPerS), color: color(m), dash: [2, 2] }))), marks);
  setSeries(charts.latency, tr.map(([m, v]) => ({ label: m + ' step ms', data: points(t, v.stepMs), color: color(m) }))
    .concat([{ label: 'scoring lag (frames)', data: points(t, p.scoringLag), color: color('scoringLag'), dash: [5, 4] }]), marks);

  renderSegmentation(s.segmentation || {});
  const l = s.latest || {};
  const errs = Object.entries(s.methods).map(([m, v]) => {
    const e = v.error.length ? v.error[v.error.length - 1] : null;
    return m + ' ' + (e === null ? '-' : e.toFixed(1) + '%');
  });
  const pla = Object.entries(l.pseudoLabelAccuracy || {})
    .filter(([, a]) => a !== null).map(([m, a]) => m + ' ' + a.toFixed(1) + '%');
  document.getElementById('summary').textContent = l.t === undefined ? '' :
    `${l.t} s | domain ${l.domain || '-'} | feed ${l.feed} | frames ${l.frames} | dead letters ${l.deadLetters}` +
    ` | views ${l.views} | scored ${l.scored} | teacher v${l.teacherVersion} | error: ${errs.join(', ')}` +
    (pla.length ? ` | pseudo-label accuracy: ${pla.join(', ')}` : '');
}

function renderSegmentation(seg) {
  const host = document.getElementById('segmentation');
  const feeds = Object.entries(seg);
  if (!feeds.length) return;
  if (host.dataset.feeds !== feeds.map(([f]) => f).join('|')) {
    host.innerHTML = '';
    for (const [f] of feeds) {
      const div = document.createElement('div');
      div.className = 'feed';
      div.innerHTML = '<div><b></b> <span class="current"></span></div><canvas></canvas><div class="legend"></div>';
      div.querySelector('b').textContent = f;
      div.dataset.feed = f;
      host.appendChild(div);
    }
    host.dataset.feeds = feeds.map(([f]) => f).join('|');
  }
  for (const [f, v] of feeds) {
    const div = [...host.children].find((d) => d.dataset.feed === f);
    div.querySelector('.current').textContent =
      `current segment: ${v.current || '-'} | frame-wise accuracy ${v.accuracy === null ? '-' : v.accuracy.toFixed(1) + '%'}`;
    const canvas = div.querySelector('canvas');
    canvas.width = canvas.clientWidth || 600;
    canvas.height = 44;
    const ctx = canvas.getContext('2d');
    const n = v.predicted.length;
    const w = canvas.width / Math.max(1, n);
    const labels = new Set();
    [[v.predicted, 0], [v.truth, 23]].forEach(([row, y]) => row.forEach((lab, i) => {
      ctx.fillStyle = lab === null ? '#e5e7eb' : color(lab);
      if (lab !== null) labels.add(lab);
      ctx.fillRect(Math.floor(i * w), y, Math.ceil(w), 20);
    }));
    div.querySelector('.legend').innerHTML = [...labels].sort()
      .map((l) => `<span><i style="background:${color(l)}"></i>${l.replace(/[<>&]/g, '')}</span>`).join('');
  }
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const r = await fetch('api/state', { cache: 'no-store' });
    if (r.ok) {
      render(await r.json());
      window.dashboardUpdates++;
      status.textContent = 'live, updated ' + new Date().toLocaleTimeString();
      status.className = '';
    } else {
      status.textContent = r.status === 503 ? 'waiting for the demo\'s first status tick ...' : 'HTTP ' + r.status;
    }
  } catch (e) {
    status.textContent = 'no connection (' + e.message + ')';
    status.className = 'stale';
  }
  setTimeout(poll, POLL_MS);
}
poll();
