// examples/train_and_explain/serve_page/app.js — the explorer's behaviour: draw with pointer events, send the drawing as a PNG to
// POST api/v1/explain (at most one request in flight, so updates follow the pen without piling up), draw the answer.
'use strict';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const ink = pad.getContext('2d');
const INK_WIDTH = 18;          // pixels on the 280x280 pad: about 1.8 MNIST pixels, a pen stroke in MNIST
let classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
let strokes = [];              // each a list of [x, y] in pad pixels; undo drops the last one
let current = null;
let chosen = -1;               // the class of the saliency and IG maps; -1 = follow the prediction
let pairA = -1, pairB = -1;    // -1 = predicted / runner-up
let inFlight = false, dirty = false, timer = null, updates = 0;
const roundTrips = [];

// ---- drawing
function redraw() {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  for (const s of strokes) drawStroke(s, 0);
}
function drawStroke(s, from) {
  ink.strokeStyle = '#fff';
  ink.fillStyle = '#fff';
  ink.lineWidth = INK_WIDTH;
  ink.lineCap = 'round';
  ink.lineJoin = 'round';
  if (s.length === 1) {
    ink.beginPath();
    ink.arc(s[0][0], s[0][1], INK_WIDTH / 2, 0, 2 * Math.PI);
    ink.fill();
    return;
  }
  ink.beginPath();
  ink.moveTo(s[Math.max(0, from - 1)][0], s[Math.max(0, from - 1)][1]);
  for (let i = Math.max(1, from); i < s.length; ++i) ink.lineTo(s[i][0], s[i][1]);
  ink.stroke();
}
function point(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}
pad.addEventListener('pointerdown', (e) => {
  if (e.pointerType === 'mouse' && e.button !== 0) return;
  if (pad.setPointerCapture && e.isTrusted) pad.setPointerCapture(e.pointerId);
  current = [point(e)];
  strokes.push(current);
  drawStroke(current, 0);
  schedule();
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (!current) return;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
  const from = current.length;
  for (const c of events.length ? events : [e]) current.push(point(c));
  drawStroke(current, from);
  schedule();
});
for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
  pad.addEventListener(type, () => {
    if (!current) return;
    current = null;
    schedule();
  });
}
$('undo').addEventListener('click', () => { strokes.pop(); redraw(); schedule(); });
$('clear').addEventListener('click', () => { strokes = []; redraw(); schedule(); });

// ---- talking to the server: one request at a time; changes made meanwhile are sent when it returns
function schedule() {
  dirty = true;
  if (!inFlight && timer === null) timer = setTimeout(send, 30);
}
async function send() {
  timer = null;
  if (!dirty) return;
  dirty = false;
  if (strokes.length === 0) { showEmpty(); return; }
  inFlight = true;
  const t0 = performance.now();
  try {
    const png = await new Promise((resolve) => pad.toBlob(resolve, 'image/png'));
    const query = new URLSearchParams();
    if (chosen >= 0) query.set('class', chosen);
    if (pairA >= 0 && pairB >= 0 && pairA !== pairB) query.set('pair', pairA + ',' + pairB);
    const res = await fetch('api/v1/explain?' + query, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error || ('HTTP ' + res.status));
    render(answer, performance.now() - t0);
  } catch (err) {
    showError(String(err.message || err));
  } finally {
    inFlight = false;
    if (dirty) schedule();
    else finished();
  }
}

// ---- drawing the answer
function colour(kind, t) {            // t in [0, 1] (sequential) or [-1, 1] (diverging) -> [r, g, b]
  if (kind === 'sequential') {        // white -> orange -> dark red
    const u = Math.min(1, Math.max(0, t));
    return [255 - 90 * u, 255 - 215 * Math.min(1, 1.4 * u), 255 - 235 * Math.min(1, 2 * u)];
  }
  const u = Math.min(1, Math.abs(t));
  return t >= 0 ? [255 - 77 * u, 255 - 231 * u, 255 - 212 * u]    // white -> red (178, 24, 43)
                : [255 - 222 * u, 255 - 153 * u, 255 - 83 * u];   // white -> blue (33, 102, 172)
}
function paint(canvas, values, kind) {
  const g = canvas.getContext('2d');
  const img = g.createImageData(28, 28);
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < 784; ++i) {
    const rgb = kind === 'gray' ? [255 * values[i], 255 * values[i], 255 * values[i]] : colour(kind, max > 0 ? values[i] / max : 0);
    img.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * i);
  }
  g.putImageData(img, 0, 0);
  return max;
}
function buildBars() {
  const bars = $('bars');
  bars.textContent = '';
  for (const sel of [$('pair-a'), $('pair-b')]) {
    sel.textContent = '';
    sel.add(new Option(sel.id === 'pair-a' ? 'the prediction' : 'the runner-up', '-1'));
    classNames.forEach((n, c) => sel.add(new Option(n, String(c))));
  }
  classNames.forEach((name, c) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'bar';
    b.dataset.class = c;
    b.setAttribute('role', 'listitem');
    b.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="val">–</span>';
    b.querySelector('.name').textContent = name;
    b.addEventListener('click', () => { chosen = c; schedule(); });
    bars.appendChild(b);
  });
}
function render(a, ms) {
  updates += 1;
  roundTrips.push(ms);
  $('error').hidden = true;
  paint($('input'), a.input, 'gray');
  document.querySelectorAll('.bar').forEach((b, c) => {
    const p = a.probabilities[c];
    b.querySelector('.fill').style.width = (100 * p).toFixed(1) + '%';
    b.querySelector('.val').textContent = p.toFixed(3);
    b.classList.toggle('predicted', c === a.prediction);
    b.classList.toggle('selected', c === a.saliency_class);
  });
  const name = (c) => classNames[c];
  const sMax = paint($('saliency'), a.saliency, 'sequential');
  $('saliency-title').innerHTML = '|∂p<sub>' + name(a.saliency_class) + '</sub>/∂x|' + (chosen < 0 ? ' (predicted)' : '');
  $('saliency-max').textContent = 'Darkest = ' + sMax.toExponential(2) + '.';
  const dMax = paint($('difference'), a.class_difference, 'diverging');
  const [pa, pb] = a.pair;
  $('diff-title').innerHTML = '∂(p<sub>' + name(pa) + '</sub> − p<sub>' + name(pb) + '</sub>)/∂x';
  $('legend-a').textContent = 'more ' + name(pa);
  $('legend-b').textContent = 'more ' + name(pb);
  $('diff-max').textContent = 'Scale ±' + dMax.toExponential(2) + '.';
  const iMax = paint($('ig'), a.integrated_gradients, 'diverging');
  $('ig-title').textContent = 'Integrated Gradients, class ' + name(a.integrated_gradients_class);
  $('ig-max').textContent = 'Scale ±' + iMax.toExponential(2) + '.';
  $('status').textContent = 'Prediction: ' + name(a.prediction) + ' (p = ' + a.probabilities[a.prediction].toFixed(3) +
      '). Round trip ' + ms.toFixed(1) + ' ms (server ' + a.compute_ms.toFixed(1) + ' ms), update ' + updates + '.';
  const d = document.body.dataset;
  d.state = 'ready';
  d.prediction = a.prediction;
  d.updates = updates;
  d.roundTripMs = ms.toFixed(1);
  console.log('EXPLORER update=' + updates + ' prediction=' + a.prediction + ' round_trip_ms=' + ms.toFixed(1) +
              ' server_ms=' + a.compute_ms.toFixed(1));
}
function showEmpty() {
  for (const id of ['input', 'saliency', 'difference', 'ig']) {
    const c = $(id);
    c.getContext('2d').clearRect(0, 0, c.width, c.height);
  }
  document.querySelectorAll('.bar').forEach((b) => {
    b.querySelector('.fill').style.width = '0';
    b.querySelector('.val').textContent = '–';
    b.classList.remove('predicted', 'selected');
  });
  $('status').textContent = 'Draw a digit with the mouse, a finger or a pen.';
  document.body.dataset.state = 'empty';
}
function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
  document.body.dataset.state = 'error';
  console.error('EXPLORER error: ' + message);
}

$('follow').addEventListener('click', () => { chosen = -1; schedule(); });
$('pair-a').addEventListener('change', (e) => { pairA = Number(e.target.value); schedule(); });
$('pair-b').addEventListener('change', (e) => { pairB = Number(e.target.value); schedule(); });

// ---- replay: ?replay=x,y,x,y,...;x,y,... draws strokes (pad pixels) with synthetic pointer events, through the same
// handlers as a hand. Tests use it (tests/serve/check_page); it also lets a drawing be shared as a link.
let replaying = false;
function finished() {
  if (replaying || inFlight || dirty) return;
  const d = document.body.dataset;
  if (d.state === 'ready' && new URLSearchParams(location.search).has('replay')) {
    d.final = d.prediction;
    const sorted = roundTrips.slice().sort((x, y) => x - y);
    console.log('EXPLORER final prediction=' + d.prediction + ' updates=' + updates + ' median_round_trip_ms=' +
                sorted[Math.floor(sorted.length / 2)].toFixed(1));
  }
}
async function replay(spec) {
  replaying = true;
  const r = pad.getBoundingClientRect();
  const fire = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {
    bubbles: true, cancelable: true, pointerId: 1, pointerType: 'pen', isPrimary: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
    clientX: r.left + x * r.width / pad.width, clientY: r.top + y * r.height / pad.height }));
  const pause = () => new Promise((resolve) => setTimeout(resolve, 8));
  for (const stroke of spec.split(';')) {
    const v = stroke.split(',').map(Number);
    if (v.length < 2 || v.length % 2 || v.some((n) => !Number.isFinite(n))) throw new Error('replay: bad stroke "' + stroke + '"');
    fire('pointerdown', v[0], v[1]);
    for (let i = 2; i < v.length; i += 2) { await pause(); fire('pointermove', v[i], v[i + 1]); }
    fire('pointerup', v[v.length - 2], v[v.length - 1]);
    await pause();
  }
  replaying = false;
  schedule();
}

// ---- start: the model's class names, the image check (a broken <img> is never logged by the browser), replay
async function start() {
  buildBars();
  redraw();
  try {
    const m = await (await fetch('api/v1/model')).json();
    if (Array.isArray(m.class_names) && m.class_names.length === 10) classNames = m.class_names;
    buildBars();
    $('model').textContent = 'model: ' + (m.network || m.in + '-' + m.hidden + '-' + m.out + ' ' + m.activation + ' MLP') +
        (m.dataset ? ', trained on ' + m.dataset : '') +
        (m.test_accuracy !== null ? ', test accuracy ' + (100 * m.test_accuracy).toFixed(2) + '%' : '');
  } catch (err) {
    showError('cannot reach the server: ' + err);
  }
  const spec = new URLSearchParams(location.search).get('replay');
  if (spec) await replay(spec);
}
addEventListener('load', () => {
  const broken = [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute('src'));
  document.body.dataset.brokenImages = broken.length;
  console.log('PAGECHECK broken=' + broken.length + ' images=' + document.images.length + ' ' + broken.join(','));
});
start();
