// The page keeps the learner's choices across a remount, in both languages: choose the flash-sale example,
// choose a group member's control and change it, select a member in the picture, type a filter, then switch
// language (the page is mounted again). The example chooser, the control, the selection and the filter are
// all as they were, and the run was not restarted. Also: a slider keeps its element while the panels
// refresh (nothing is replaced under a pointer), and an unknown data-action does nothing.
import { serveDist, launchChromium, simulatedSeconds, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failures.push(message); };

const other = { en: 'zh-CN', 'zh-CN': 'en' };

for (const lang of ['en', 'zh-CN']) {
  console.log(`remount, starting in ${lang}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang });
  await returningVisitor(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}/#lang=${lang}`);
  await page.waitForSelector('[data-testid=picture] svg');
  check(await page.locator('[data-testid=examples]').inputValue() === 'order-service', 'the default example is chosen');

  await page.selectOption('[data-testid=examples]', 'flash-sale');
  await page.waitForSelector('[data-testid=picture] [data-action="select:producer:checkout-service"]');
  check(await page.locator('[data-testid=examples]').inputValue() === 'flash-sale', 'the chooser says flash-sale');

  // A control of the group: max.poll.records 50.
  const records = page.locator('[data-testid=max-poll-records]');
  const handle = await records.elementHandle();
  await records.evaluate((input) => {
    input.value = '50';
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=max-poll-records-value]')?.textContent === '50');
  check(await records.inputValue() === '50', 'max.poll.records is 50');
  // The panels refresh a few times a second: the slider stays the same element.
  await page.waitForTimeout(800);
  check(await handle.evaluate((input) => input.isConnected), 'the slider was not replaced while the panels refreshed');

  // A second group, chosen in the group section's legend.
  await page.click('[data-testid=add-group]');
  const groupChooser = page.locator('fieldset[data-section=group] legend select');
  await page.waitForFunction(() => [...document.querySelectorAll('fieldset[data-section=group] legend option')].some((o) => o.value === 'group_2'));
  await groupChooser.selectOption('group_2');
  await page.waitForTimeout(300);
  check(await groupChooser.inputValue() === 'group_2', 'the controls show group_2');

  // Select a member in the picture.
  const member = page.locator('[data-testid=picture] [data-action="select:member:order_writer/writer-2"]');
  await member.dispatchEvent('click');
  await page.waitForSelector('[data-testid=selection-crash]');
  const selected = await page.locator('[data-testid=selection] h3').textContent();
  check(selected.includes('writer-2') && selected.includes('order_writer'), `the member is selected: ${selected}`);
  check(await member.getAttribute('class').then((c) => c.includes('ks-selected')), 'the picture marks the selection');

  await page.fill('[data-testid=event-filter]', 'rebalance');
  const clockBefore = await simulatedSeconds(page);

  // An unknown action in the picture's markup does nothing (decode gives no action).
  await page.evaluate(() => {
    const g = document.querySelector('[data-testid=picture] [data-action^="select:broker:"]');
    g.setAttribute('data-action', 'crash:broker:1x');
    g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });

  await page.click(`[data-testid=lang-${other[lang]}]`);
  await page.waitForFunction((tag) => document.documentElement.lang === tag, other[lang]);
  await page.waitForSelector('[data-testid=picture] svg');
  await page.waitForTimeout(300);

  check(await page.locator('[data-testid=examples]').inputValue() === 'flash-sale', 'after the switch the chooser still says flash-sale');
  check(await page.locator('fieldset[data-section=group] legend select').inputValue() === 'group_2', 'after the switch the controls still show group_2');
  await page.locator('fieldset[data-section=group] legend select').selectOption('order_writer');
  await page.waitForTimeout(300);
  check(await page.locator('[data-testid=max-poll-records]').inputValue() === '50', 'after the switch order_writer\'s max.poll.records is still 50');
  const after = await page.locator('[data-testid=selection] h3').textContent().catch(() => '');
  check(after.includes('writer-2') && after.includes('order_writer'), `after the switch the member is still selected: ${after}`);
  check(await page.locator('[data-testid=event-filter]').inputValue() === 'rebalance', 'after the switch the filter still holds its text');
  const shown = await page.locator('[data-testid=events] li').evaluateAll((items) =>
    items.map((li) => `${li.dataset.type} ${li.textContent.toLowerCase()}`));
  check(shown.every((line) => line.includes('rebalance')), `the filter still filters the log (${shown.length} lines)`);
  check(await simulatedSeconds(page) >= clockBefore, 'the run went on: the clock did not start again');
  check(await page.locator('[data-testid=events] li[data-type=broker_crashed]').count() === 0, 'the unknown action crashed nothing');
  check(errors.length === 0, `no page errors: ${errors.join('; ')}`);
  await context.close();
}

await browser.close();
server.close();
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('remount: all checks passed');
