// tests/wasm/check.mjs — runs the engine's WebAssembly module under node on the committed model and the first N MNIST
// test digits, and compares it with the native engine's numbers (tests/wasm/reference.cpp): one OK / NOT OK line each.
// usage: node check.mjs MODULE.js MODEL_DIR MNIST_DIR REFERENCE_DIR [--tolerance T] [--perturb]
//   --perturb changes one weight of W1 by 1e-3 before loading it: the check must then fail (it does through J and W1_after).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); if (i < 0) return null; args.splice(i, 1); return true; };
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const perturb = flag('--perturb');
const tolerance = option('--tolerance', 1e-6);
if (args.length !== 4) {
  console.error('usage: node check.mjs MODULE.js MODEL_DIR MNIST_DIR REFERENCE_DIR [--tolerance T] [--perturb]');
  process.exit(2);
}
const [modulePath, modelDir, mnistDir, refDir] = args;
const fail = (msg) => { console.error(`check.mjs: ${msg}`); process.exit(1); };

// A float32 .npy file (what nn/training/model_io.cpp and xt::dump_npy write): {shape, data}.
function readNpy(file) {
  const b = readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file}: not a .npy file`);
  const v1 = b[6] === 1;
  const headerLength = v1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (v1 ? 10 : 12) + headerLength;
  const header = b.toString('latin1', v1 ? 10 : 12, start);
  if (!header.includes("'descr': '<f4'")) fail(`${file}: not little-endian float32 (${header.trim()})`);
  if (header.includes("'fortran_order': True")) fail(`${file}: Fortran order`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const count = shape.reduce((a, s) => a * s, 1);
  if (b.length - start !== 4 * count) fail(`${file}: ${b.length - start} data bytes, shape says ${4 * count}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i) data[i] = b.readFloatLE(start + 4 * i);
  return { shape, data };
}

// The first n images (x = byte / 255, [n, 784]) and labels of the MNIST test set.
function readMnist(dir, n) {
  const images = readFileSync(path.join(dir, 't10k-images-idx3-ubyte'));
  const labels = readFileSync(path.join(dir, 't10k-labels-idx1-ubyte'));
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) fail(`${dir}: not MNIST IDX files`);
  const D = images.readUInt32BE(8) * images.readUInt32BE(12);
  const x = new Float32Array(n * D);
  for (let i = 0; i < n * D; ++i) x[i] = images[16 + i] / 255;
  return { x, D, y: Int32Array.from(labels.subarray(8, 8 + n)) };
}

const createNnsense = createRequire(import.meta.url)(path.resolve(modulePath));
const M = await createNnsense();
const heap = (bytes) => M._malloc(bytes);
const put = (array) => {                                   // copies a typed array into the module's memory
  const p = heap(array.byteLength);
  (array instanceof Int32Array ? M.HEAP32 : M.HEAPF32).set(array, p / 4);
  return p;
};
const get = (p, count) => M.HEAPF32.slice(p / 4, p / 4 + count);
const check = (status, what) => { if (status !== 0) fail(`${what}: ${M.UTF8ToString(M._nns_error())}`); };

const W1 = readNpy(path.join(modelDir, 'W1.npy')), b1 = readNpy(path.join(modelDir, 'b1.npy'));
const W2 = readNpy(path.join(modelDir, 'W2.npy')), b2 = readNpy(path.join(modelDir, 'b2.npy'));
const model = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
const [IN, H] = W1.shape, C = W2.shape[1];
if (perturb) W1.data[IN * H / 2] += 1e-3;
const act = heap(model.activation.length + 1);
M.stringToUTF8(model.activation, act, model.activation.length + 1);
check(M._nns_load(IN, H, C, act, put(W1.data), put(b1.data), put(W2.data), put(b2.data)), 'nns_load');

const p = readNpy(path.join(refDir, 'p.npy'));
const n = p.shape[0];
const { x, D, y } = readMnist(mnistDir, n);
if (D !== IN) fail(`the model takes ${IN} inputs, the digits have ${D} pixels`);
const px = put(x);

const started = performance.now();
const pp = heap(4 * n * C), pJ = heap(4 * n * C * D);
check(M._nns_predict(px, n, pp), 'nns_predict');
check(M._nns_jacobian(px, n, pJ), 'nns_jacobian');
const lr = 0.1;   // as tests/wasm/reference.cpp's default
const pLoss = heap(4), pdW1 = heap(4 * IN * H), pdb1 = heap(4 * H), pdW2 = heap(4 * H * C), pdb2 = heap(4 * C);
check(M._nns_train_step(px, put(y), n, lr, pLoss, pdW1, pdb1, pdW2, pdb2), 'nns_train_step');
const pW1 = heap(4 * IN * H), pb1 = heap(4 * H), pW2 = heap(4 * H * C), pb2 = heap(4 * C);
check(M._nns_weights(pW1, pb1, pW2, pb2), 'nns_weights');
const seconds = (performance.now() - started) / 1000;

const results = {
  p: get(pp, n * C), J: get(pJ, n * C * D), loss: get(pLoss, 1),
  dW1: get(pdW1, IN * H), db1: get(pdb1, H), dW2: get(pdW2, H * C), db2: get(pdb2, C), W1_after: get(pW1, IN * H),
};
let bad = 0;
console.log(`module ${path.basename(modulePath)} (products: ${M.UTF8ToString(M._nns_gemm_backend())}), ` +
            `${n} digits, model ${IN}-${H}-${C}, ${seconds.toFixed(2)} s in the module; tolerance ${tolerance} absolute`);
for (const [name, got] of Object.entries(results)) {
  const want = readNpy(path.join(refDir, `${name}.npy`)).data;
  if (want.length !== got.length) fail(`${name}: ${got.length} values from the module, ${want.length} native`);
  let worst = 0, scale = 0;
  for (let i = 0; i < got.length; ++i) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(want[i]));
  }
  const ok = worst <= tolerance;
  if (!ok) ++bad;
  console.log(`${ok ? 'OK    ' : 'NOT OK'} ${name.padEnd(9)} ${String(got.length).padStart(7)} values, ` +
              `max |wasm - native| ${worst.toExponential(2)} (largest |native| ${scale.toExponential(2)})`);
}
if (bad) { console.log(`${bad} of ${Object.keys(results).length} differ by more than ${tolerance}`); process.exit(1); }
console.log('the module gives the native engine\'s numbers');
