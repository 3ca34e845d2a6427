// Where frame time goes (prints figures; not a test): runs a scenario in headless Chromium and reports
// Chromium's cumulative task, script, style and layout durations over the window, per frame.
// Usage: node tests/e2e/frame-profile.mjs dist [seconds] [scenario-name]
import { serveDist, launchChromium, openWarmScenario } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const seconds = Number(process.argv[3] ?? 6);
const scenarioName = process.argv[4] ?? 'heavy-benchmark';
const server = await serveDist(dist);
const browser = await launchChromium();
try {
  const page = await openWarmScenario(browser, server.origin, dist, scenarioName);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  const frames = await page.evaluate((ms) => new Promise((resolve) => {
    let n = 0; const end = performance.now() + ms;
    const frame = (now) => { n += 1; if (now < end) requestAnimationFrame(frame); else resolve(n); };
    requestAnimationFrame(frame);
  }), seconds * 1000);
  const after = await metrics();
  const per = (name) => ((after[name] - before[name]) * 1000 / frames).toFixed(2);
  console.log(`${frames} frames in ${seconds} s`);
  for (const name of ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration']) {
    console.log(`${name}: ${per(name)} ms per frame`);
  }
  console.log(`DOM nodes: ${after.Nodes}, layout count per frame: ${((after.LayoutCount - before.LayoutCount) / frames).toFixed(2)}`);
} finally {
  await browser.close();
  server.close();
}
