// Seek benchmark (time travel): opens a scenario in the release build with a link that names an instant
// (`t=`, by default 10 simulated minutes), so the page runs there as fast as it can and pauses; then drags
// the timeline to instants spread over the run, each as one input event, and prints how long each seek
// took: the input handler (restore the checkpoint, replay, refresh the panels) and until the next frame is
// painted. It prints the wasm memory before and after the run (the checkpoints' share is the difference with
// a build without time travel, `memory-bench.mjs`). Figures for the reader, not a timed test: it fails only
// if the page stops or errs.
//
//   node tests/e2e/seek-bench.mjs dist                        # order-service and heavy-benchmark
//   node tests/e2e/seek-bench.mjs dist heavy-benchmark 600000 # one scenario, to an instant in ms
import { serveDist, launchChromium, scenarioLink, simulatedSeconds, catchWasmMemory } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const scenarios = process.argv[3] ? [process.argv[3]] : ['order-service', 'heavy-benchmark'];
const untilMs = Number(process.argv[4] ?? 600000);
const SEEKS = 24;
const MIB = 1 << 20;

const server = await serveDist(dist);
const browser = await launchChromium();
let failed = false;
const stats = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`;
};
try {
  for (const scenario of scenarios) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await catchWasmMemory(page);
    const memory = () => page.evaluate(() => (window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : NaN));
    const started = Date.now();
    await page.goto(scenarioLink(server.origin, dist, scenario).replace('#', `#t=${untilMs}&`));
    await page.waitForSelector('[data-testid=timeline]', { timeout: 30000 });
    const atStart = await memory();
    await page.waitForFunction(() => !document.querySelector('[data-testid=seeking]'), null, { timeout: 900000, polling: 500 });
    const reached = await simulatedSeconds(page);
    if (Math.abs(reached - untilMs / 1000) > 0.01) throw new Error(`the link's instant was not reached: ${reached} s`);
    const atEnd = await memory();
    console.log(`seek: ${scenario}, run to ${untilMs / 1000} s in ${((Date.now() - started) / 1000).toFixed(1)} s of wall time`);
    console.log(`  wasm memory: ${(atStart / MIB).toFixed(1)} MiB at the start, ${(atEnd / MIB).toFixed(1)} MiB at ${untilMs / 1000} s`);
    const handler = [];
    const painted = [];
    for (let i = 0; i < SEEKS; i++) {
      // Instants spread over the run, in an order that jumps back and forth.
      const ms = Math.round(((i * 7919) % SEEKS + 0.5) / SEEKS * untilMs);
      const [h, p, shownS] = await page.evaluate(async (ms) => {
        const slider = document.querySelector('[data-testid=timeline-slider]');
        const t0 = performance.now();
        slider.value = String(ms);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        const t1 = performance.now();
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const t2 = performance.now();
        const clock = document.querySelector('[data-testid=clock]').textContent;
        return [t1 - t0, t2 - t0, Number(clock.match(/([\d.]+) s/)[1])];
      }, ms);
      if (Math.abs(shownS - ms / 1000) > 0.06) throw new Error(`seek to ${ms} ms shows ${shownS} s`);
      handler.push(h);
      painted.push(p);
    }
    console.log(`  ${SEEKS} seeks over 0–${untilMs / 1000} s: input handler ${stats(handler)}; to the next frame ${stats(painted)}`);
    console.log(`  wasm memory after the seeks: ${((await memory()) / MIB).toFixed(1)} MiB`);
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    await page.close();
  }
} catch (error) {
  console.log(`  FAIL ${error.message}`);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
