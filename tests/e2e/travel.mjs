// Time travel in the release build, in headless Chromium (Playwright), in English and in Chinese:
// 1. a link with `t=` runs the scenario to that instant, paused; the topics and groups tables (and charts,
//    event log, rebalance story) are captured; the run goes on; scrubbing the timeline back to that instant
//    shows the same tables;
// 2. a broker crashed in the past forks the run (a notice offers the discarded future back); reloading the
//    share link shows the same forked state; the way back restores the original future.
// Elements are selected by data-testid or role only.
import { serveDist, launchChromium, scenarioLink, simulatedSeconds } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const origin = server.origin;
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failures.push(message); };

/** What the page shows of the run: the describe tables, charts, event log and rebalance story. */
async function shown(page) {
  return page.evaluate(() => {
    const text = (selector) => [...document.querySelectorAll(selector)].map((e) => e.innerHTML).join('\n');
    return {
      clock: document.querySelector('[data-testid=clock]').textContent,
      topics: text('[data-testid=topics]'),
      groups: text('[data-testid^=group-]'),
      charts: text('[data-testid$=-chart]'),
      events: text('[data-testid=events]'),
      story: text('[data-testid=rebalances]'),
    };
  });
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=seeking]'), null, { timeout: 60000 });
  await page.waitForTimeout(400);
}

/** Drags the timeline to `ms`, as a slider's input event does. */
async function scrub(page, ms) {
  await page.evaluate((ms) => {
    const slider = document.querySelector('[data-testid=timeline-slider]');
    slider.value = String(ms);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await page.waitForTimeout(400);
}

async function playFor(page, ms) {
  await page.getByTestId('play').click();
  await page.waitForTimeout(ms);
  await page.getByTestId('play').click();
  await page.waitForTimeout(300);
}

try {
  for (const lang of ['en', 'zh-CN']) {
    console.log(`time travel (${lang})`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const link = (t) => scenarioLink(origin, dist, 'order-service').replace('#', `#lang=${lang}&t=${t}&`);

    // 1. Scrubbing back shows the tables the run showed at that instant.
    await page.goto(link(9000));
    await page.waitForSelector('[data-testid=timeline]', { timeout: 20000 });
    await settled(page);
    check(await simulatedSeconds(page) === 9, `the link's t=9000 shows 9 s, paused (${await simulatedSeconds(page)})`);
    const slider = page.getByTestId('timeline').getByRole('slider');
    check(await slider.count() === 1 && await slider.getAttribute('data-testid') === 'timeline-slider'
      && /^9(\.0+)? s$/.test(await slider.getAttribute('aria-valuetext')),
      `the timeline is a slider announcing the time (${await slider.getAttribute('aria-valuetext')})`);
    check((await slider.getAttribute('aria-label')).length > 0, 'the slider has a label');
    const at9 = await shown(page);
    check(at9.topics.length > 100 && at9.groups.length > 100, 'the topics and groups tables are shown');
    await playFor(page, 2500);
    const later = await simulatedSeconds(page);
    check(later > 9.5, `the run went on (${later} s)`);
    check(JSON.stringify(await shown(page)) !== JSON.stringify(at9), 'the tables changed meanwhile');
    await scrub(page, 9000);
    const back = await shown(page);
    check(back.clock === at9.clock, `scrubbed back to ${back.clock}`);
    check(back.topics === at9.topics, 'the topics table is the one shown at that instant');
    check(back.groups === at9.groups, 'the groups tables are the ones shown at that instant');
    check(back.charts === at9.charts, 'the charts are the ones shown at that instant');
    check(back.events === at9.events, 'the event log is the one shown at that instant');
    check(back.story === at9.story, 'the rebalance story is the one shown at that instant');
    const marks = await page.locator('[data-testid=timeline-marks] rect').count();
    check(marks > 0, `the timeline marks the rebalances (${marks} marks)`);
    // Keys: Home goes to the start, End to the latest instant, ← steps back.
    await page.getByTestId('picture').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('End');
    await page.waitForTimeout(300);
    check(Math.abs(await simulatedSeconds(page) - later) < 0.2, `End shows the latest instant (${await simulatedSeconds(page)} s)`);
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(300);
    const stepped = await simulatedSeconds(page);
    check(stepped < later + 0.05, `← steps back (${later} → ${stepped} s)`);
    await page.keyboard.press('Home');
    await page.waitForTimeout(300);
    check(await simulatedSeconds(page) === 0, 'Home shows the start');
    // A click on a line of the event log jumps to its instant.
    await page.keyboard.press('End');
    await page.waitForTimeout(300);
    const jump = page.locator('[data-testid=events] li[data-type=rebalance_started] button[data-t]').first();
    const jumpTo = Number(await jump.getAttribute('data-t'));
    await jump.click();
    await page.waitForTimeout(300);
    check(Math.abs(await simulatedSeconds(page) - jumpTo / 1e6) < 0.06, `a click in the event log jumps to ${jumpTo / 1e6} s`);

    // 2. Crashing a broker in the past forks the run; the share link replays the fork.
    await scrub(page, 6000);
    check(await simulatedSeconds(page) === 6, 'scrubbed to 6 s');
    await page.getByTestId('broker-1').click();
    await page.waitForTimeout(500);
    check(await page.getByTestId('past-changed').count() === 1, 'the notice says the past was changed');
    check(await page.locator('[data-testid=events] li[data-type=broker_crashed]').count() === 1, 'the crash is in the log');
    await playFor(page, 1500);
    const forked = await shown(page);
    const url = page.url();
    check(/[#&]t=\d+/.test(url), `the link names the instant shown (${url.slice(0, 60)}…)`);
    const reloaded = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await reloaded.goto(url);
    await reloaded.waitForSelector('[data-testid=timeline]', { timeout: 20000 });
    await settled(reloaded);
    const again = await shown(reloaded);
    check(again.clock === forked.clock, `the link reopens the fork at ${again.clock}`);
    check(again.topics === forked.topics, 'the reopened link shows the forked topics table');
    check(again.groups === forked.groups, 'the reopened link shows the forked groups tables');
    check(await reloaded.locator('[data-testid=events] li[data-type=broker_crashed]').count() === 1, 'the reopened run has the crash');
    await reloaded.close();
    // The way back: the original future, at the instant of the fork, without the crash.
    await page.getByTestId('back-to-future').click();
    await page.waitForTimeout(500);
    check(await page.getByTestId('past-changed').count() === 0, 'the notice goes');
    check(await simulatedSeconds(page) === 6, `back at 6 s in the original run (${await simulatedSeconds(page)})`);
    check(await page.locator('[data-testid=events] li[data-type=broker_crashed]').count() === 0, 'the original run has no crash');
    check(errors.length === 0, `no page errors ${errors.join(' | ')}`);
    await page.screenshot({ path: `artifacts/timeline-${lang}.png` });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length) { console.error(`${failures.length} time-travel check(s) failed`); process.exit(1); }
