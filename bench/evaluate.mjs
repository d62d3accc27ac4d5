// Times the evaluate engine's paired bootstrap: 1000 resamples of (challenger − champion) for the
// 8 binary metrics on 1,000,000 aligned predictions, on two worker threads, with the WebAssembly
// pair kernel and with the JavaScript one, against the engine as of git revision BEFORE (default
// 45a535a, the last one before the pair kernel) in the same run, and against a naive bootstrap
// that materialises index arrays and re-sorts per resample (NAIVE resamples, extrapolated).
// REPEAT rounds (default 3), each running every engine once in turn; best of the rounds reported.
//   node bench/evaluate.mjs   [N=… RESAMPLES=… REPEAT=… BEFORE=<rev|none> NAIVE=…]
// Bundles src/evaluate with esbuild into bench/out/ first, so it runs on plain Node.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const root = resolve(fileURLToPath(import.meta.url), '../..');
await mkdir(join(root, 'bench/out'), { recursive: true });

/** Bundles the engine under `dir` (src/evaluate/...) into `outfile`; the bundle also serves its workers. */
async function bundle(dir, outfile) {
  await build({
    stdin: {
      contents: [
        "import { serveBootstrapWorker } from './src/evaluate/bootstrap.ts';",
        'serveBootstrapWorker();',
        "export { pairedBootstrap, runResamples } from './src/evaluate/bootstrap.ts';",
        "export { prepareBinaryModel, computeMetrics, METRICS } from './src/evaluate/metrics.ts';",
      ].join('\n'),
      resolveDir: dir,
      loader: 'ts',
    },
    outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning',
  });
  return pathToFileURL(outfile);
}

const entry = await bundle(root, join(root, 'bench/out/evaluate.mjs'));
const { pairedBootstrap, prepareBinaryModel, computeMetrics, METRICS } = await import(entry.href);

// The engine as of an earlier revision, from git (read-only: git show), for before/after ratios.
const beforeRev = process.env.BEFORE ?? '45a535a';
let before = null;
if (beforeRev !== 'none') {
  try {
    // Outside the repository: the type checker covers bench/, and these files are an old version.
    const dir = join(tmpdir(), `refit-bench-evaluate-${beforeRev.replace(/[^\w.-]/g, '_')}`);
    await mkdir(join(dir, 'src/evaluate'), { recursive: true });
    const files = execFileSync('git', ['ls-tree', '--name-only', `${beforeRev}:src/evaluate`], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
    for (const f of files) await writeFile(join(dir, 'src/evaluate', f), execFileSync('git', ['show', `${beforeRev}:src/evaluate/${f}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
    const url = await bundle(dir, join(dir, 'evaluate.mjs'));
    before = { url, module: await import(url.href) };
  } catch (error) {
    console.log(`(no before/after comparison: could not build revision ${beforeRev}: ${error.message.split('\n')[0]})`);
  }
}

const n = Number(process.env.N ?? 1_000_000);
const resamples = Number(process.env.RESAMPLES ?? 1000);

// Synthetic holdout: 30% positives; scores rounded to 6 decimals as a CSV would hold them (some ties).
let s = 12345;
const rand = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const label = new Uint8Array(n);
const scoreA = new Float64Array(n);
const scoreB = new Float64Array(n);
for (let i = 0; i < n; i++) {
  label[i] = rand() < 0.3 ? 1 : 0;
  scoreA[i] = Math.round((0.25 * label[i] + 0.75 * rand()) * 1e6) / 1e6;
  scoreB[i] = Math.round((0.3 * label[i] + 0.7 * rand()) * 1e6) / 1e6;
}

const t0 = performance.now();
const data = { task: 'binary', n, label, models: [prepareBinaryModel(label, scoreA, null), prepareBinaryModel(label, scoreB, null)] };
const prepSeconds = (performance.now() - t0) / 1000;

console.log(`inputs: ${n.toLocaleString('en-US')} aligned binary predictions (30% positives, scores at 6 decimals), ${resamples} paired resamples, 8 metrics per model`);
console.log(`prepare (per-row terms + sort by score, both models): ${prepSeconds.toFixed(2)} s`);

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
/** Wall and CPU seconds (all threads of the process) of the paired bootstrap. */
async function timed(bootstrap, workerEntry, kernel) {
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const result = await bootstrap(data, { resamples, seed: 1, workerEntry, ...(kernel ? { kernel } : {}) });
  const cpu = process.cpuUsage(cpu0);
  return { result, wall: (performance.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}
const perResample = (cpu) => `${((cpu / resamples) * 1000).toFixed(1)} ms CPU per resample`;
const maxDiff = (x, y) => {
  let d = 0;
  x.intervals.forEach((ci, j) => ci.forEach((v, k) => (d = Math.max(d, Math.abs(v - y.intervals[j][k])))));
  return d;
};
const repeat = Math.max(1, Number(process.env.REPEAT ?? 3));
const engines = [
  { name: 'WebAssembly kernel', run: () => timed(pairedBootstrap, entry, 'wasm') },
  { name: 'JavaScript kernel', run: () => timed(pairedBootstrap, entry, 'js') },
  ...(before ? [{ name: `before (revision ${beforeRev})`, run: () => timed(before.module.pairedBootstrap, before.url) }] : []),
];
const runs = engines.map(() => []);
for (let round = 1; round <= repeat; round++) {
  console.log(`round ${round}/${repeat}, load average ${load()} (other work on the machine skews timings)`);
  for (const [i, engine] of engines.entries()) {
    const run = await engine.run();
    runs[i].push(run);
    console.log(`  ${engine.name}, ${run.result.threads} worker threads: ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU (${perResample(run.cpu)})`);
  }
}
const best = runs.map((r) => ({ wall: Math.min(...r.map((x) => x.wall)), cpu: Math.min(...r.map((x) => x.cpu)), result: r[0].result }));
console.log(`best of ${repeat} (wall and CPU minimised separately):`);
engines.forEach((engine, i) => console.log(`  ${engine.name.padEnd(30)} ${best[i].wall.toFixed(2)} s wall, ${best[i].cpu.toFixed(2)} s CPU (${perResample(best[i].cpu)})`));
const [wasm, js] = best;
console.log(`WebAssembly / JavaScript kernel: wall ${(wasm.wall / js.wall).toFixed(2)}×, CPU ${(wasm.cpu / js.cpu).toFixed(2)}× (speed-up ${(js.cpu / wasm.cpu).toFixed(2)}× in CPU); intervals differ by at most ${maxDiff(wasm.result, js.result).toExponential(1)}`);
if (before) {
  const old = best[2];
  console.log(`after (WebAssembly) / before: wall ${(wasm.wall / old.wall).toFixed(2)}×, CPU ${(wasm.cpu / old.cpu).toFixed(2)}× (speed-up ${(old.cpu / wasm.cpu).toFixed(2)}× in CPU); intervals differ by at most ${maxDiff(wasm.result, old.result).toExponential(1)} (same seed, same draws)`);
}
console.log(`goal: ${resamples} resamples in under 10 s wall: best ${wasm.wall.toFixed(2)} s, ${wasm.wall < 10 ? 'met' : 'NOT met'} (${runs[0].filter((r) => r.wall < 10).length} of ${repeat} runs under 10 s)`);
console.log(`load average after the runs: ${load()}`);
const two = wasm.result;
const twoSeconds = wasm.wall;

const inProcess = Number(process.env.IN_PROCESS ?? 50);
const t2 = performance.now();
const one = await pairedBootstrap(data, { resamples: inProcess, seed: 1 });
const oneSeconds = (performance.now() - t2) / 1000;
console.log(`in-process, ${inProcess} resamples: ${oneSeconds.toFixed(2)} s (${((oneSeconds / inProcess) * 1000).toFixed(1)} ms per resample)`);

// Naive baseline: materialise the index array, gather, re-sort, compute the same metrics.
function naiveMetrics(y, p) {
  const m = y.length;
  let pos = 0, tp = 0, pred = 0, correct = 0, ll = 0, br = 0;
  const eps = 2.220446049250313e-16;
  for (let i = 0; i < m; i++) {
    const yp = p[i] > 0.5 ? 1 : 0;
    pos += y[i]; pred += yp; tp += y[i] & yp; correct += y[i] === yp ? 1 : 0;
    const q = Math.min(Math.max(p[i], eps), 1 - eps);
    ll -= y[i] ? Math.log(q) : Math.log(1 - q);
    br += (p[i] - y[i]) ** 2;
  }
  const idx = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  let auc = 0, ap = 0, tc = 0, fc = 0, tg = 0, fg = 0;
  for (let k = 0; k < m; k++) {
    const i = idx[k];
    if (y[i]) tg++; else fg++;
    if (k === m - 1 || p[idx[k + 1]] !== p[i]) {
      auc += fg * (tc + tg / 2); tc += tg; fc += fg;
      if (tg) ap += tg * (tc / (tc + fc));
      tg = fg = 0;
    }
  }
  return [correct / m, tp / pred, tp / pos, (2 * tp) / (pred + pos), auc / (pos * (m - pos)), ap / pos, ll / m, br / m];
}
const naiveRuns = Number(process.env.NAIVE ?? 3);
if (naiveRuns > 0) {
  const t3 = performance.now();
  for (let r = 0; r < naiveRuns; r++) {
    const index = new Int32Array(n);
    for (let k = 0; k < n; k++) index[k] = Math.floor(rand() * n);
    const y = Uint8Array.from(index, (i) => label[i]);
    naiveMetrics(y, Float64Array.from(index, (i) => scoreA[i]));
    naiveMetrics(y, Float64Array.from(index, (i) => scoreB[i]));
  }
  const naiveSeconds = ((performance.now() - t3) / 1000 / naiveRuns) * resamples;
  console.log(`naive (index arrays + re-sort), ${naiveRuns} resamples extrapolated to ${resamples}: ${naiveSeconds.toFixed(1)} s → ${(naiveSeconds / twoSeconds).toFixed(1)}× slower than the engine`);
}

const ones = new Uint8Array(n).fill(1);
const a = computeMetrics(data, 0, ones);
const b = computeMetrics(data, 1, ones);
METRICS.binary.forEach((m, j) => {
  const ci = two.intervals[j];
  console.log(`  ${m.name.padEnd(10)} champion ${a[j].toFixed(5)} challenger ${b[j].toFixed(5)} delta ${(b[j] - a[j]).toFixed(5)} CI [${ci[0].toFixed(5)}, ${ci[1].toFixed(5)}]`);
});
const main = process.resourceUsage().maxRSS / 1024;
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s; peak RSS ${main.toFixed(0)} MiB (process.resourceUsage().maxRSS, main + worker threads share the process)`);
void one;
