// Where a frame's main-thread time goes (a diagnostic, not a test): loads
// the built app like frame-bench.mjs, then records 3 s of a DevTools trace and
// a CPU profile and prints, per frame, the time in each kind of
// main-thread work (script, style, layout, paint, …) and the functions
// with the most self time. Run after `trunk build --release`:
//   node scripts/frame-profile.mjs [a|b]     (a: Steady API, b: stress; both by default)
import { serve, launch, newPage } from '../tests/browser/harness.mjs';
import { setSpeed, sleep } from '../tests/browser/util.mjs';

const which = process.argv[2] ?? 'ab';
const server = await serve(process.env.PROFILE_DIST); // another build, e.g. one with debug names
const browser = await launch();

async function trace(cdp, ms) {
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc'] },
  });
  await sleep(ms);
  await cdp.send('Tracing.end');
  await done;
  return events;
}

function mainThreadBreakdown(events) {
  // The renderer's main thread: where the animation-frame callbacks run.
  const frames = events.filter((e) => e.name === 'FireAnimationFrame');
  if (!frames.length) return null;
  const { pid, tid } = frames[0];
  const main = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined);
  // Top-level tasks, then their direct kinds: self time of the interesting names.
  const names = ['FunctionCall', 'FireAnimationFrame', 'EvaluateScript', 'v8.callFunction', 'UpdateLayoutTree', 'Layout',
    'PrePaint', 'Paint', 'PaintImage', 'Layerize', 'UpdateLayer', 'Commit', 'CompositeLayers', 'RunTask',
    'HitTest', 'ParseHTML', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'BlinkGC.AtomicPhase'];
  // Thread CPU time (tdur) where the trace has it: less disturbed by other
  // processes than wall time (dur), which counts time spent descheduled.
  const total = Object.fromEntries(names.map((n) => [n, 0]));
  const wall = Object.fromEntries(names.map((n) => [n, 0]));
  for (const e of main) {
    if (!(e.name in total)) continue;
    total[e.name] += (e.tdur ?? e.dur) / 1000;
    wall[e.name] += e.dur / 1000;
  }
  // Elements whose style was recalculated, per frame.
  const styled = main.filter((e) => e.name === 'UpdateLayoutTree')
    .reduce((n, e) => n + (e.args?.elementCount ?? 0), 0);
  return { frames: frames.length, total, wall, styled };
}

function topFunctions(profile, n = 25) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let all = 0;
  for (const [id, us] of dt) {
    const node = byId.get(id);
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}${f.url ? ' ' + f.url.split('/').pop() : ''}`;
    self.set(key, (self.get(key) ?? 0) + us);
    all += us;
  }
  return { all, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, n) };
}

async function run(label, preset, warmMs) {
  const { page } = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await page.goto(server.url);
  await page.locator('#sim-clock').waitFor();
  await page.selectOption('#preset', { label: preset });
  if (process.env.PROFILE_CSS) await page.addStyleTag({ content: process.env.PROFILE_CSS });
  await setSpeed(page, 2);
  await sleep(warmMs);
  const events = await trace(cdp, 3000);
  const b = mainThreadBreakdown(events);
  console.log(`${label}: ${b.frames} animation frames in the trace; main-thread ms per frame, CPU (wall) (inclusive, nested kinds overlap):`);
  console.log(`  elements restyled per frame: ${(b.styled / b.frames).toFixed(0)}`);
  for (const [k, v] of Object.entries(b.total)) if (v > 0) console.log(`  ${k.padEnd(22)} ${(v / b.frames).toFixed(2).padStart(6)} (${(b.wall[k] / b.frames).toFixed(2)})`);
  if (process.env.PROFILE_CPU === '0') { await page.close(); return; }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await sleep(3000);
  const { profile } = await cdp.send('Profiler.stop');
  const { all, top } = topFunctions(profile, Number(process.env.PROFILE_TOP ?? 25));
  console.log(`  CPU profile, 3 s: self time of the top functions (share of all samples):`);
  for (const [k, us] of top) console.log(`  ${(100 * us / all).toFixed(1).padStart(5)} %  ${k}`);
  await page.close();
}

if (which.includes('a')) await run('(a) Steady API at 100×', 'Steady API', 1500);
if (which.includes('b')) await run('(b) Stress at 100×', 'Stress: 1,000 environments, 50 instances', 6000);
await browser.close();
await server.close();
