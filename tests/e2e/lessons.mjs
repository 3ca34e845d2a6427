// Every lesson, in both languages, as a learner takes it in the page: a first visit lands on the lesson
// menu (data-testid=lesson-menu), "start here" is on lesson 1, each lesson opens from the menu, every step
// is completed with "show me" where it has an action (the run at 100×), the last step shows the run's
// summary and the "try it on real Kafka" block, "back" rewinds the run once per lesson, and the menu then
// shows the lesson done. Deep links (?lesson=ID&step=N) open a step directly; bad ones give an error and
// the sandbox. Screenshots of each lesson's first and last step go to artifacts/lessons/.
// Usage: node tests/e2e/lessons.mjs dist [lesson-id ...]
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveDist, launchChromium, simulatedSeconds } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const only = process.argv.slice(3);
const index = JSON.parse(readFileSync(join(dist, 'lesson-index.json'), 'utf8'))
  .filter((entry) => only.length === 0 || only.includes(entry.id));
const server = await serveDist(dist);
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { if (!ok) { console.log(`  FAIL ${message}`); failures.push(message); } return ok; };
mkdirSync('artifacts/lessons', { recursive: true });

/** Runs the page at 100× (the speed slider's top). */
const fullSpeed = (page) => page.locator('[data-testid=speed]').evaluate((input) => {
  input.value = '2';
  input.dispatchEvent(new Event('input', { bubbles: true }));
});

for (const lang of ['en', 'zh-CN']) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}/#lang=${lang}`);
  // A first visit: the menu, with the page running behind it.
  await page.waitForSelector('[data-testid=lesson-menu]');
  const clock0 = await simulatedSeconds(page);
  await page.waitForTimeout(600);
  check(await simulatedSeconds(page) > clock0, `${lang}: the page runs behind the menu`);
  check(await page.locator('[data-testid=lesson-start-here]').count() === 1, `${lang}: "start here" marks one lesson`);
  check(await page.locator('[data-testid=lesson-open-why-kafka] [data-testid=lesson-start-here]').count() === 1,
    `${lang}: "start here" is on lesson 1`);
  // Escape closes it to the sandbox; the header's button opens it again.
  await page.keyboard.press('Escape');
  check(await page.locator('[data-testid=lesson-menu]').count() === 0, `${lang}: Escape closes the menu`);
  await page.click('[data-testid=lessons]');
  await page.waitForSelector('[data-testid=lesson-menu]');
  await page.click('[data-testid=lesson-menu-close]');
  check(await page.locator('[data-testid=lesson-menu]').count() === 0, `${lang}: the close button leads to the sandbox`);

  let passed = 0;
  for (const entry of index) {
    const tag = `${lang} ${entry.id}`;
    await page.click('[data-testid=lessons]');
    await page.click(`[data-testid=lesson-open-${entry.id}]`);
    await page.waitForSelector('[data-testid=lesson-title]');
    await page.waitForSelector('[data-testid=lesson-dot-1][data-state=current]');
    await fullSpeed(page);
    const title = await page.textContent('[data-testid=lesson-title]');
    check(title.trim() === (lang === 'en' ? entry.title.en : entry.title['zh-CN']), `${tag}: the title in the page's language (${title})`);
    check(await page.locator('[data-testid=lesson-dot-1]').count() === 1
      && await page.locator(`[data-testid=lesson-dot-${entry.steps}]`).count() === 1, `${tag}: a dot per step`);
    await page.screenshot({ path: `artifacts/lessons/${entry.id}-${lang}-first.png` });
    let ok = true;
    let rewound = false;
    for (let step = 1; step <= entry.steps && ok; step += 1) {
      await page.waitForSelector(`[data-testid=lesson-dot-${step}][data-state=current]`);
      // "Show me" acts at once; without it the run goes on (it pauses on each step's moment).
      const showMe = page.locator('[data-testid=lesson-show-me]');
      if (await showMe.count()) await showMe.click();
      ok = check(await page.waitForSelector('[data-testid=lesson-check][data-held=true]', { timeout: 60000 })
        .then(() => true, () => false), `${tag}: step ${step}'s check holds (${await page.textContent('[data-testid=lesson-check]').catch(() => '')})`);
      if (!ok) break;
      if (step < entry.steps) {
        // Paused on the step's moment, the learner reads; "next" goes on, or, where the next step asks
        // the learner to act, waits paused for it ("show me"), as `lesson::play` acts when a step begins.
        await page.click('[data-testid=lesson-next]');
        // Back once, from step 2: the run rewinds to where step 1 began, then the learner goes on again.
        if (step === 1 && !rewound) {
          rewound = true;
          await page.waitForSelector('[data-testid=lesson-dot-2][data-state=current]');
          // Paused, so that the clock read after the rewind is the rewound one.
          await page.click('[data-testid=play]');
          await page.waitForTimeout(100);
          const before = await simulatedSeconds(page);
          await page.click('[data-testid=lesson-back]');
          await page.waitForSelector('[data-testid=lesson-dot-1][data-state=current]');
          await page.waitForTimeout(300);
          const after = await simulatedSeconds(page);
          check(after < before, `${tag}: back rewinds the run (${before} s → ${after} s)`);
          await page.click('[data-testid=play]');
          step = 0;
        }
      }
    }
    if (ok) {
      ok = check(await page.locator('[data-testid=lesson-summary]').count() === 1, `${tag}: the summary is shown`)
        && check((await page.textContent('[data-testid=lesson-summary]')).search(/\{[a-z_.-]+\}/) < 0, `${tag}: the summary is filled in`)
        && check(await page.locator('[data-testid=lesson-real-kafka] pre').count() >= 2
          && await page.locator('[data-testid=lesson-copy-script]').count() === 1, `${tag}: the real-Kafka block with its copy buttons`);
      await page.screenshot({ path: `artifacts/lessons/${entry.id}-${lang}-last.png` });
    }
    await page.click('[data-testid=lesson-menu-open]');
    await page.waitForSelector('[data-testid=lesson-menu]');
    if (ok) {
      ok = check(await page.getAttribute(`[data-testid=lesson-open-${entry.id}]`, 'data-state') === 'done', `${tag}: the menu shows it done`);
    }
    await page.click('[data-testid=lesson-menu-close]');
    if (ok) passed += 1;
  }
  console.log(`${lang}: ${passed} of ${index.length} lessons completed through the menu`);
  check(errors.length === 0, `${lang}: no page errors: ${errors.join('; ')}`);
  await context.close();
}

// Deep links: a step opens directly, without the menu; a bad id or step gives an error and the sandbox.
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const entry = index.find((e) => e.steps >= 3) ?? index[0];
  const step = Math.min(3, entry.steps);
  await page.goto(`${server.origin}/?lesson=${entry.id}&step=${step}#lang=zh-CN`);
  await page.waitForSelector(`[data-testid=lesson-dot-${step}][data-state=current]`, { timeout: 60000 });
  check(await page.locator('[data-testid=lesson-menu]').count() === 0, 'a lesson link opens without the menu');
  check((await page.textContent('[data-testid=lesson-step]')).includes(String(step)), 'the link opens its step');
  for (const bad of [`?lesson=nope&step=1`, `?lesson=${entry.id}&step=99`, `?lesson=${entry.id}&step=x`, `?lesson=../../etc&step=1`]) {
    await page.goto(`${server.origin}/${bad}#lang=zh-CN`);
    await page.waitForSelector('[data-testid=error]', { timeout: 20000 });
    const error = await page.textContent('[data-testid=error]');
    check(/lesson|step/.test(error) && /[\u4e00-\u9fff]/.test(error), `a bad link ${bad} names its field in the page's language: ${error}`);
    check(await page.locator('[data-testid=lesson]').count() === 0 && await page.locator('[data-testid=picture] svg').count() === 1,
      `a bad link ${bad} leaves the sandbox running`);
  }
  await context.close();
}

await browser.close();
server.close();
console.log(`${failures.length ? failures.length + ' check(s) failed' : 'lessons: all checks passed'}`);
if (failures.length) process.exit(1);
