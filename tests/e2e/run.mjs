// Loads the release build (dist/) in Debian's headless Chromium through Playwright, checks it starts with
// no errors and makes no request outside its own origin, drives a few controls, and saves screenshots.
import { mkdirSync } from 'node:fs';
import { serveDist, launchChromium, scenarioLink, simulatedSeconds, recordCspViolations, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const origin = server.origin;

const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failures.push(message); };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await returningVisitor(page);
  await recordCspViolations(page);
  const errors = [];
  const foreign = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  await page.goto(origin + '/');
  await page.waitForSelector('[data-testid=picture]', { timeout: 20000 });
  await page.waitForTimeout(1500);
  check(errors.length === 0, `release build starts with no errors ${errors.join(' | ')}`);
  check(foreign.length === 0, `no request leaves the page's origin ${foreign.join(' ')}`);
  const clock1 = await page.textContent('[data-testid=clock]');
  await page.waitForTimeout(700);
  check(clock1 !== await page.textContent('[data-testid=clock]'), 'the simulation clock runs');
  await page.keyboard.press('?');
  await page.waitForTimeout(200);
  check(await page.getByRole('dialog').count() === 1, 'the keyboard help opens with ?');
  await page.getByTestId('help-close').click();
  await page.waitForTimeout(200);
  check(await page.getByRole('dialog').count() === 0, 'its close button closes it');
  mkdirSync('artifacts', { recursive: true });
  await page.screenshot({ path: 'artifacts/running.png' });
  await page.click('[data-testid=broker-1]');
  await page.waitForTimeout(300);
  check((await page.locator('[data-testid=events] li[data-type=broker_crashed]').count()) === 1, 'crashing broker 1 is logged');
  await page.screenshot({ path: 'artifacts/broker-crashed.png' });
  await page.click('[data-testid=add-member]');
  await page.waitForTimeout(300);
  check((await page.locator('[data-testid=events] li[data-type=consumer_added]').count()) === 1, 'adding a member is logged');
  await page.screenshot({ path: 'artifacts/member-added.png' });
  const inked = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=picture-canvas]');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
    return n;
  });
  check(inked > 1000, `the canvas layer draws the logs and the messages (${inked} pixels)`);
  await page.waitForTimeout(2500);
  const steps = await page.locator('[data-testid=rebalances] .ks-story li').count();
  check(steps >= 4, `the rebalance is told step by step (${steps} steps)`);
  await page.locator('[data-testid=rebalances]').screenshot({ path: 'artifacts/rebalance-steps.png' });
  await page.screenshot({ path: 'artifacts/full-page.png', fullPage: true });
  const policy = await page.evaluate(() => document.querySelector('meta[http-equiv=Content-Security-Policy]')?.content ?? '');
  check(/script-src 'self' 'wasm-unsafe-eval'/.test(policy) && !/unsafe-inline|'unsafe-eval'/.test(policy),
    `the page has a strict Content-Security-Policy: ${policy}`);
  const violations = await page.evaluate(() => window.__csp);
  check(violations.length === 0, `the page runs with no Content-Security-Policy violation ${violations.join(' | ')}`);

  // No silent death: a trap (as when memory runs out) shows what happened and a way to reload the run.
  const trapped = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await returningVisitor(trapped);
  await recordCspViolations(trapped);
  await trapped.goto(origin + '/');
  await trapped.waitForSelector('[data-testid=picture]', { timeout: 20000 });
  await trapped.waitForTimeout(500);
  await trapped.focus('[data-testid=rate]');
  await trapped.keyboard.press('End');
  await trapped.evaluate(() => document.querySelector('[data-testid=rate]').dispatchEvent(new Event('change', { bubbles: true })));
  await trapped.waitForTimeout(300);
  await trapped.evaluate(() => window.wasmBindings.trap_on_next_frame());
  const notice = await trapped.waitForSelector('[data-testid=fatal]', { timeout: 5000 }).catch(() => null);
  const noticeText = notice ? await notice.textContent() : '';
  const cause = notice ? await trapped.textContent('[data-testid=fatal-cause]') : '';
  const reload = notice ? await trapped.getAttribute('[data-testid=fatal-reload]', 'href') : '';
  check(/stopped/.test(noticeText) && /Simulated|\d s/.test(noticeText) && reload === trapped.url(),
    `a trap shows a notice with where the run was and a link that reloads it: "${noticeText.slice(0, 160)}"`);
  check(/At their maximum: .*Produce rate/i.test(cause), `the notice names the controls at their maximum: "${cause}"`);
  const clockAfterTrap = await trapped.textContent('[data-testid=clock]');
  await trapped.waitForTimeout(500);
  check(clockAfterTrap === await trapped.textContent('[data-testid=clock]'), 'the trapped simulation no longer advances');
  check((await trapped.evaluate(() => window.__csp)).length === 0, 'the notice raises no Content-Security-Policy violation');
  await trapped.screenshot({ path: 'artifacts/trapped.png' });

  // The memory budget: a run that would outgrow it pauses, says why, and offers ways out. The test lowers
  // the thresholds to 1 MiB (pause) and 3 MiB (hard stop) above the memory the page has now.
  const budget = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await returningVisitor(budget);
  await recordCspViolations(budget);
  const budgetErrors = [];
  budget.on('pageerror', (e) => budgetErrors.push(String(e)));
  await budget.goto(origin + '/');
  await budget.waitForSelector('[data-testid=picture]', { timeout: 20000 });
  await budget.evaluate(() => window.wasmBindings.set_memory_budget_for_test(1 << 20, 3 << 20));
  for (const testid of ['rate', 'speed']) {
    await budget.focus(`[data-testid=${testid}]`);
    await budget.keyboard.press('End');
    await budget.evaluate((id) => document.querySelector(`[data-testid=${id}]`).dispatchEvent(new Event('change', { bubbles: true })), testid);
  }
  const paused = await budget.waitForSelector('[data-testid=memory-budget]', { timeout: 60000 }).catch(() => null);
  check(paused !== null, 'a run outgrowing the memory budget pauses with a notice');
  if (paused) {
    const clockPaused = await budget.textContent('[data-testid=clock]');
    await budget.waitForTimeout(600);
    check(clockPaused === await budget.textContent('[data-testid=clock]'), `the simulation is paused at the budget (${clockPaused})`);
    const ways = await budget.$$eval('[data-testid=memory-budget] button', (buttons) => buttons.map((b) => b.dataset.testid));
    check(['budget-retention', 'budget-rate', 'budget-coarse'].every((way) => ways.includes(way)), `the notice offers the ways out: ${ways.join(', ')}`);
    const noticeText = await paused.textContent();
    check(/\d+ MiB/.test(noticeText) && /256 MiB/.test(noticeText), `the notice says how much memory the run holds, of 256 MiB: "${noticeText.slice(0, 120)}"`);
    const rateBefore = await budget.textContent('[data-testid=rate-value]');
    await budget.click('[data-testid=budget-rate]');
    await budget.waitForTimeout(1000);
    const rateAfter = await budget.textContent('[data-testid=rate-value]');
    check(/^100000 /.test(rateBefore) && /^10000 /.test(rateAfter) && (await budget.locator('[data-testid=events] li[data-type=producer_rate_changed]').count()) > 0,
      `a way out lowers the rate (${rateBefore} → ${rateAfter})`);
    const clockResumed = await budget.textContent('[data-testid=clock]');
    await budget.waitForTimeout(600);
    check(clockResumed !== await budget.textContent('[data-testid=clock]'), 'after a way out the run goes on');
  }
  check(budgetErrors.length === 0 && (await budget.$('[data-testid=fatal]')) === null, `the budget's pause raises no error ${budgetErrors.join(' | ')}`);
  await budget.screenshot({ path: 'artifacts/memory-budget.png' });

  // A tablet in portrait: nothing wider than the screen.
  const tablet = await browser.newPage({ viewport: { width: 768, height: 1024 } });
  await returningVisitor(tablet);
  await tablet.goto(origin + '/');
  await tablet.waitForSelector('[data-testid=picture]', { timeout: 20000 });
  await tablet.waitForTimeout(1500);
  const width = await tablet.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 768, `readable on a 768×1024 tablet: page width ${width}px`);
  await tablet.screenshot({ path: 'artifacts/tablet.png' });

  // The heavy scenario (64 partitions, 4 groups × 8 members): compact rows, no overlap.
  const big = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  big.on('pageerror', (e) => errors.push(String(e)));
  await big.goto(scenarioLink(origin, dist, 'heavy-benchmark'));
  await big.waitForSelector('[data-testid=picture]', { timeout: 20000 });
  await big.waitForTimeout(4000);
  check(errors.length === 0, `the heavy scenario runs with no errors ${errors.join(' | ')}`);
  await big.screenshot({ path: 'artifacts/heavy-scenario.png' });

  // Fast-forward past what the device can do: 100× would need over 100 ms of core work per frame. The page
  // caps the core's time per frame, keeps animating, runs as fast as it can and says so.
  await big.locator('[data-testid=speed]').fill('2');
  await big.waitForSelector('[data-testid=behind]', { timeout: 10000 });
  const simulatedBefore = await simulatedSeconds(big);
  const framesIn2s = await big.evaluate(() => new Promise((resolve) => {
    let n = 0; const end = performance.now() + 2000;
    const frame = (now) => { n += 1; if (now < end) requestAnimationFrame(frame); else resolve(n); };
    requestAnimationFrame(frame);
  }));
  const simulated = (await simulatedSeconds(big)) - simulatedBefore;
  const behindText = await big.textContent('[data-testid=behind]');
  check(framesIn2s >= 30, `at 100× the heavy scenario still animates: ${framesIn2s} frames in 2 s`);
  // How much faster than real time depends on the machine and its load (2.0 to 4.0 simulated s in 2 s on
  // the 2-core CI machine): the figure is printed, not asserted (speed is for benchmarks). What is checked
  // is that the run goes on at speed and the page says how fast it got.
  check(simulated > 1 && /runs it at \d+(\.\d)?×/.test(behindText),
    `at 100× it runs as fast as the device can (${simulated.toFixed(1)} simulated s in 2 s) and shows the speed reached: "${behindText}"`);
  await big.screenshot({ path: 'artifacts/heavy-fast-forward.png' });

  // Coarse time: the same scenario with a 10 ms time quantum says so beside the clock and keeps running.
  const coarse = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  coarse.on('pageerror', (e) => errors.push(String(e)));
  await coarse.goto(scenarioLink(origin, dist, 'heavy-benchmark', { time_quantum_ms: 10 }));
  await coarse.waitForSelector('[data-testid=quantum]', { timeout: 20000 });
  const quantumText = await coarse.textContent('[data-testid=quantum]');
  check(/time_quantum_ms = 10 ms/.test(quantumText), `the time quantum is shown: ${quantumText}`);
  const before = await coarse.textContent('[data-testid=clock]');
  await coarse.waitForTimeout(1500);
  const after = await coarse.textContent('[data-testid=clock]');
  check(before !== after && errors.length === 0, `coarse time runs (${before} → ${after}) ${errors.join(' | ')}`);
  check(await big.locator('[data-testid=quantum]').count() === 0, 'exact time shows no quantum');
} finally {
  await browser.close();
  server.close();
}
if (failures.length) { console.error(`${failures.length} browser check(s) failed`); process.exit(1); }
