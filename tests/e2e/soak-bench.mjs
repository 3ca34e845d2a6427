// Memory soak (issue 17): opens a scenario in the release build, sets every range input to its maximum
// (focus it, press End), and runs it for a while of wall time. Every 30 s it prints the wasm memory, the
// bytes Rust's allocator holds and the simulated clock. It fails if the clock stops, the page reports an
// error (or the fatal notice, or the memory budget's pause), the wasm memory exceeds 256 MiB, or the memory
// is not flat (within ±10%) after the first 2 minutes. The memory is read from the module's `WebAssembly.Memory`,
// caught as it is instantiated, so that builds without `memory_in_use` (older ones) can be measured too.
//
//   node tests/e2e/soak-bench.mjs dist                      # the default scenario, 10 minutes
//   node tests/e2e/soak-bench.mjs dist heavy-benchmark      # the heavy scenario
//   MINUTES=3 node tests/e2e/soak-bench.mjs dist            # shorter
import { serveDist, launchChromium, scenarioLink, simulatedSeconds, catchWasmMemory, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const scenario = process.argv[3];
const minutes = Number(process.env.MINUTES ?? 10);
const MIB = 1 << 20;
const BUDGET = 256 * MIB;

const server = await serveDist(dist);
const browser = await launchChromium();
const failures = [];
const fail = (message) => { console.log(`  FAIL ${message}`); failures.push(message); };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await returningVisitor(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await catchWasmMemory(page);
  await page.goto(scenario ? scenarioLink(server.origin, dist, scenario) : server.origin + '/');
  await page.waitForSelector('[data-testid=picture]', { timeout: 30000 });
  await page.waitForTimeout(1000);
  const ranges = await page.$$('input[type=range]');
  const set = [];
  for (const range of ranges) {
    await range.focus();
    await page.keyboard.press('End');
    await range.evaluate((input) => input.dispatchEvent(new Event('change', { bubbles: true })));
    set.push(`${await range.getAttribute('data-testid')}=${await range.evaluate((input) => input.value)}`);
  }
  console.log(`soak: ${scenario ?? 'the default scenario'}, every range input at its maximum (${set.join(', ')}), ${minutes} min of wall time`);
  const read = async () => {
    const wasm = await page.evaluate(() => (window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : NaN));
    return { wasm, simulated: await simulatedSeconds(page).catch(() => NaN) };
  };
  const started = Date.now();
  const samples = [];
  let last = await read();
  for (let tick = 1; tick <= minutes * 2; tick++) {
    await page.waitForTimeout(Math.max(0, started + tick * 30000 - Date.now()));
    const now = await read();
    const behind = await page.$('[data-testid=behind]');
    const speed = behind ? (await behind.textContent()).trim() : 'keeps up';
    console.log(`  ${String(tick * 30).padStart(4)} s wall   simulated ${now.simulated.toFixed(1).padStart(9)} s   wasm memory ${(now.wasm / MIB).toFixed(1).padStart(6)} MiB   (${speed})`);
    samples.push({ tick, ...now });
    if (!(now.simulated > last.simulated)) fail(`the simulated clock stopped at ${now.simulated} s`);
    last = now;
    if (await page.$('[data-testid=fatal]')) { fail(`the page shows the fatal notice: ${(await page.textContent('[data-testid=fatal]')).slice(0, 200)}`); break; }
    if (await page.$('[data-testid=memory-budget]')) fail('the simulation paused at the memory budget');
    if (await page.$('[data-testid=error]')) fail(`the page shows an error: ${await page.textContent('[data-testid=error]')}`);
  }
  if (errors.length) fail(`page errors: ${errors.join(' | ')}`);
  const peak = Math.max(...samples.map((s) => s.wasm));
  if (peak > BUDGET) fail(`wasm memory reached ${(peak / MIB).toFixed(1)} MiB, over 256 MiB`);
  const settled = samples.filter((s) => s.tick * 30 > 120);
  if (settled.length >= 2) {
    const first = settled[0].wasm;
    const spread = settled.map((s) => s.wasm / first - 1);
    const worst = spread.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
    console.log(`  after 2 min: wasm memory from ${(first / MIB).toFixed(1)} MiB, at most ${(worst * 100).toFixed(1)}% away`);
    if (Math.abs(worst) > 0.1) fail(`wasm memory not flat after 2 minutes: ${(worst * 100).toFixed(1)}%`);
  }
  console.log(`  peak wasm memory ${(peak / MIB).toFixed(1)} MiB; simulated ${last.simulated.toFixed(1)} s in ${minutes} min`);
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.log(`soak: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('soak: ok');
