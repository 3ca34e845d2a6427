// Memory over simulated time (issue 12): opens a scenario (the heavy one by default) in the release build at top
// speed (100×) and prints the wasm memory at every simulated minute, read from the module's
// `WebAssembly.Memory`, caught as it is instantiated (so that older builds can be measured too). It reports the
// memory at 10 simulated minutes (target ≤ 32 MiB) and the spread from 10 minutes to the end (target ±10%),
// and fails only if the page stops (an error, the fatal notice, the clock standing still): the figures are for
// the reader, not a timed test.
//
//   node tests/e2e/memory-bench.mjs dist                        # heavy scenario, 60 simulated minutes
//   SIM_MINUTES=12 node tests/e2e/memory-bench.mjs dist         # shorter
//   node tests/e2e/memory-bench.mjs dist order-service          # another example scenario
import { serveDist, launchChromium, scenarioLink, simulatedSeconds, catchWasmMemory } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const scenario = process.argv[3] ?? 'heavy-benchmark';
const simMinutes = Number(process.env.SIM_MINUTES ?? 60);
const MIB = 1 << 20;

const server = await serveDist(dist);
const browser = await launchChromium();
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await catchWasmMemory(page);
  await page.goto(scenarioLink(server.origin, dist, scenario));
  await page.waitForSelector('[data-testid=picture]', { timeout: 30000 });
  await page.locator('[data-testid=speed]').fill('2');
  console.log(`memory: ${scenario} at 100×, wasm memory at every simulated minute up to ${simMinutes}`);
  const memory = () => page.evaluate(() => (window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : NaN));
  const started = Date.now();
  const samples = [];
  let lastClock = 0;
  let lastMove = Date.now();
  for (let minute = 1; minute <= simMinutes; minute++) {
    for (;;) {
      const clock = await simulatedSeconds(page).catch(() => NaN);
      if (clock > lastClock) { lastClock = clock; lastMove = Date.now(); }
      if (clock >= minute * 60) break;
      if (Date.now() - lastMove > 30000) throw new Error(`the simulated clock stopped at ${lastClock} s`);
      if (await page.$('[data-testid=fatal]')) throw new Error('the page shows the fatal notice');
      if (await page.$('[data-testid=memory-budget]')) throw new Error('the simulation paused at the memory budget');
      await page.waitForTimeout(250);
    }
    const wasm = await memory();
    samples.push({ minute, wasm });
    console.log(`  ${String(minute).padStart(3)} min simulated   wall ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s   wasm memory ${(wasm / MIB).toFixed(1).padStart(6)} MiB`);
  }
  if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
  const at10 = samples.find((s) => s.minute === 10);
  if (at10) {
    console.log(`  at 10 simulated minutes: ${(at10.wasm / MIB).toFixed(1)} MiB (target ≤ 32 MiB)`);
    const later = samples.filter((s) => s.minute >= 10);
    const spread = later.map((s) => s.wasm / at10.wasm - 1);
    const worst = spread.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    console.log(`  from 10 to ${simMinutes} simulated minutes: at most ${(worst * 100).toFixed(1)}% away (target ±10%)`);
  }
  console.log(`  peak ${(Math.max(...samples.map((s) => s.wasm)) / MIB).toFixed(1)} MiB`);
} catch (error) {
  console.log(`  FAIL ${error.message}`);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
