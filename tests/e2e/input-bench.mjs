// Bounded work for any accepted input: loads the largest scenario the format accepts (every count and
// list at its bound) through the scenario panel, as an imported file, and prints the longest frames and
// main-thread tasks while its first simulated second runs, the load itself included.
// Usage: node tests/e2e/input-bench.mjs dist [wall s]
// Environment: T, P, RF, M, G (topics, partitions per topic, replication factor, members per group,
// groups), KEY (key length), KEYS (keys per producer), RATE, TL (timeline entries) shrink the scenario;
// FILE=path imports that file instead; SAVE=path writes the scenario used; PROFILE=N (on a build that
// keeps names) prints the N longest stretches of work with the functions that took them.
import { readFileSync, writeFileSync } from 'node:fs';
import { serveDist, launchChromium, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const wallSeconds = Number(process.argv[3] ?? 8);
const server = await serveDist(dist);

// Every bound of the format at once (docs/scenario-format.md): 9 brokers, 64 partitions over 8 topics at
// replication factor 9, 16 producers at 100,000 records/s with 1,000 keys each, 8 groups of 8 members (64 in
// all), and as many timeline entries and as long keys as the 256 KiB file bound leaves room for.
const B = 9, T = Number(process.env.T ?? 8), P = Number(process.env.P ?? 8), RF = Number(process.env.RF ?? 9), M = Number(process.env.M ?? 8);
const topics = Array.from({ length: T }, (_, t) => ({ name: `t${t}`, partitions: P, replication_factor: RF }));
const key = (i) => `k${i}`.padEnd(Number(process.env.KEY ?? 4), 'x');
const producers = Array.from({ length: 16 }, (_, p) => ({
  id: `p${p}`, topic: `t${p % T}`, rate_per_sec: Number(process.env.RATE ?? 100000), keys: { list: Array.from({ length: Number(process.env.KEYS ?? 1000) }, (_, i) => key(i)) },
}));
const G = Number(process.env.G ?? 8);
const groups = Array.from({ length: G }, (_, g) => ({
  id: `g${g}`, topics: topics.map((t) => t.name), processing_ms_per_record: 0,
  members: Array.from({ length: M }, (_, m) => ({ id: `g${g}-m${m}` })),
}));
// Timeline entries in the first simulated second, half of them at one instant.
const timeline = Array.from({ length: Number(process.env.TL ?? 1500) }, (_, i) => ({
  at_ms: i < 750 ? 0 : i - 750,
  action: 'set_producer_rate', producer: `p${i % 16}`, rate_per_sec: 100000 - (i % 7),
}));
const scenario = { version: 1, name: 'x'.repeat(120), description: 'd'.repeat(4000), seed: 1,
  cluster: { brokers: B }, topics, producers, groups, timeline };
const text = process.env.FILE ? readFileSync(process.env.FILE, 'utf8') : JSON.stringify(scenario);
if (process.env.SAVE) writeFileSync(process.env.SAVE, text);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await returningVisitor(page);
  await page.goto(server.origin + '/');
  await page.waitForSelector('[data-testid=picture]');
  // The file is made in the page before frames are recorded.
  await page.evaluate((text) => { window.__file = new File([text], 'largest.json', { type: 'application/json' }); }, text);
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    window.__frameEnds = [];
    window.__tasks = [];
    new PerformanceObserver((list) => { for (const task of list.getEntries()) window.__tasks.push(task.duration); })
      .observe({ type: 'longtask' });
    const frame = (now) => { window.__frames.push(now - last); window.__frameEnds.push(now); last = now; requestAnimationFrame(frame); };
    document.querySelector('[data-testid=import]').addEventListener('change', () => { window.__imported = performance.now(); }, { capture: true });
    requestAnimationFrame(frame);
  });
  const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  // Imported as a file, as a learner would: the file input gets the file and fires `change`. (Playwright's
  // setInputFiles would decode the file inside the page in the same frame, about 90 ms of harness work.)
  await page.evaluate(() => {
    const input = document.querySelector('[data-testid=import]');
    const files = new DataTransfer();
    files.items.add(window.__file);
    input.files = files.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForTimeout(wallSeconds * 1000);
  const result = await page.evaluate(() => ({
    frames: window.__frames,
    tasks: window.__tasks,
    afterImport: window.__frames.filter((_, i) => window.__frameEnds[i] > window.__imported).slice(0, 14),
    clock: document.querySelector('[data-testid=clock]').textContent,
    error: document.querySelector('[data-testid=error]')?.textContent ?? null,
    linkTooLong: document.querySelector('[data-testid=link-too-long]') !== null,
  }));
  if (cdp) printBusyStretches((await cdp.send('Profiler.stop')).profile);
  const sorted = [...result.frames].sort((a, b) => b - a);
  const [load, ...rest] = sorted;
  console.log(`scenario: ${(text.length / 1024).toFixed(0)} KiB JSON, ${B} brokers, ${T}×${P} partitions RF ${RF}, 16 producers × ${producers[0].rate_per_sec}/s with 1000 keys of ${key(0).length} chars, ${G} groups × ${M} members, ${timeline.length} timeline entries`);
  console.log(`error: ${result.error}; link too long for the address bar: ${result.linkTooLong}`);
  console.log(`frames: ${result.frames.length} in ${wallSeconds} s; longest (the load): ${load.toFixed(0)} ms; then ${rest.slice(0, 4).map((f) => f.toFixed(0)).join(', ')} ms; over 100 ms: ${sorted.filter((f) => f > 100).length}`);
  const tasks = [...result.tasks].sort((a, b) => b - a);
  console.log(`main-thread tasks over 50 ms: ${tasks.length}; longest ${tasks.slice(0, 5).map((t) => t.toFixed(0)).join(', ')} ms; over 100 ms: ${tasks.filter((t) => t > 100).length}`);
  console.log(`simulated: ${result.clock}`);
  console.log(`the first frames after the import: ${result.afterImport.map((f) => f.toFixed(0)).join(', ')} ms`);
} finally {
  await browser.close();
  server.close();
}

// With PROFILE=1 (a build that keeps names): the longest stretches of uninterrupted work after the import,
// each with the functions that took the most of it, callers included.
function printBusyStretches(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (node) => (node.callFrame.functionName || `(${node.callFrame.url || 'anonymous'})`).replace(/::h[0-9a-f]{16}$/, '');
  const stretches = [];
  let current = null;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const name = nameOf(byId.get(id));
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)' && !current) { current = null; return; }
    if (!current) { current = { us: 0, inclusive: new Map() }; stretches.push(current); }
    current.us += dt;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) seen.add(nameOf(byId.get(at)));
    for (const caller of seen) current.inclusive.set(caller, (current.inclusive.get(caller) ?? 0) + dt);
  });
  for (const stretch of stretches.sort((a, b) => b.us - a.us).slice(0, Number(process.env.PROFILE))) {
    console.log(`busy ${(stretch.us / 1000).toFixed(0)} ms:`);
    for (const [name, us] of [...stretch.inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 28)) {
      console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms  ${name.slice(0, 140)}`);
    }
  }
}
