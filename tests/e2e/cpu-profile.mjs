// Where the page's CPU time goes, by function (prints figures; not a test): records a V8 CPU profile of a
// scenario running at 1× in headless Chromium and prints the functions with the most self time.
// Names show only in a build that keeps them (trunk's `data-keep-debug` and wasm-opt `-g`); the release build
// strips them to save bytes.
// Usage: node tests/e2e/cpu-profile.mjs dist [seconds] [scenario-name] [top-n]
import { serveDist, launchChromium, openWarmScenario } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const seconds = Number(process.argv[3] ?? 6);
const scenarioName = process.argv[4] ?? 'heavy-benchmark';
const top = Number(process.argv[5] ?? 40);
const server = await serveDist(dist);
const browser = await launchChromium();
try {
  const page = await openWarmScenario(browser, server.origin, dist, scenarioName);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (node) => node.callFrame.functionName || `(${node.callFrame.url || 'anonymous'})`;
  const self = new Map();
  const inclusive = new Map();
  const underCore = new Map(); // self time of the functions the core (advance_to) calls
  let coreTotal = 0;
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const name = nameOf(byId.get(id));
    self.set(name, (self.get(name) ?? 0) + (deltas[i] ?? 0));
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) seen.add(nameOf(byId.get(at)).replace(/::h[0-9a-f]{16}$/, ''));
    for (const caller of seen) inclusive.set(caller, (inclusive.get(caller) ?? 0) + (deltas[i] ?? 0));
    if ([...seen].some((caller) => /Simulation::advance_to(ward)?$/.test(caller))) {
      underCore.set(name, (underCore.get(name) ?? 0) + (deltas[i] ?? 0));
      coreTotal += deltas[i] ?? 0;
    }
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`profile: ${(total / 1000).toFixed(0)} ms sampled over ${seconds} s`);
  console.log('inclusive (the function and everything it calls):');
  for (const [name, us] of [...inclusive.entries()].filter(([n]) => /advance_to|refresh|draw|start_animation/.test(n)).sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
  }
  console.log(`inside the core (advance_to), by self time (${(coreTotal / 1000).toFixed(0)} ms in all):`);
  for (const [name, us] of [...underCore.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / coreTotal).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
  }
  console.log('self:');
  for (const [name, us] of rows) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
  }
} finally {
  await browser.close();
  server.close();
}
