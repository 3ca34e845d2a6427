// The world around Kafka in the page, in Debian's headless Chromium, in both languages: each example of the
// "without Kafka / with Kafka" claims is loaded, run fast, and its headline numbers are found in the world
// panel (data-testid=world): the synchronous path's and Kafka's response times and failures, the sinks'
// effect counters, the queues' counts. Numbers are read by test id, never by their words. Screenshots of
// each example go to artifacts/.
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveDist, launchChromium, simulatedSeconds } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failures.push(message); };
mkdirSync('artifacts', { recursive: true });

/** The numbers in an element's text (a table cell: one). */
const numbers = async (page, testid) =>
  ((await page.textContent(`[data-testid="${testid}"]`)) ?? '').match(/\d+(\.\d+)?/g)?.map(Number) ?? [];
/** A group's committed offsets and log end offsets, summed over its describe table's rows. */
const offsets = (page, group) => page.evaluate((group) => {
  const rows = [...document.querySelectorAll(`[data-testid="group-${group}"] tbody tr`)];
  const sum = (column) => rows.reduce((n, row) => n + (Number(row.cells[column].textContent) || 0), 0);
  return { current: sum(2), ends: sum(3) };
}, group);
/** An element's `data-NAME` as a number (the sinks' and queues' counts). */
const datum = async (page, testid, name) => Number(await page.getAttribute(`[data-testid="${testid}"]`, `data-${name}`));

/** Opens example `name` in language `tag` at 100×, and waits until the clock reaches `until` seconds. */
async function open(name, tag, until) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const scenario = readFileSync(join(dist, 'scenarios', `${name}.json`), 'utf8');
  await page.goto(`${server.origin}/#lang=${tag}&s=${Buffer.from(scenario).toString('base64url')}`);
  await page.waitForSelector('[data-testid=world] [data-testid]', { timeout: 20000 });
  await page.locator('[data-testid=speed]').fill('2');
  const deadline = Date.now() + 90000;
  while ((await simulatedSeconds(page)) < until && Date.now() < deadline) await page.waitForTimeout(250);
  await page.locator('[data-testid=play]').click();
  // At 100× the panels (refreshed every 250 ms of wall time) may lag the clock by many simulated
  // seconds; a step refreshes them at once.
  await page.locator('[data-testid=step]').click();
  await page.waitForTimeout(600);
  check(errors.length === 0, `${name} ${tag}: runs with no errors ${errors.join(' | ')}`);
  check(await page.evaluate(() => document.documentElement.lang) === tag, `${name} ${tag}: the page is in ${tag}`);
  return page;
}

try {
  for (const tag of ['en', 'zh-CN']) {
    // 1–3: response times, email down from 20 s to 30 s, the SMS group at 60 s.
    let page = await open('sync-vs-kafka', tag, 75);
    const [syncP50] = await numbers(page, 'world-p50-sync');
    const [kafkaP50] = await numbers(page, 'world-p50-kafka');
    check(syncP50 > 280 && syncP50 < 320 && kafkaP50 < 20,
      `sync-vs-kafka ${tag}: response p50 ${syncP50} ms without Kafka, ${kafkaP50} ms with`);
    const [syncFailed] = await numbers(page, 'world-failed-sync');
    const [kafkaFailed] = await numbers(page, 'world-failed-kafka');
    const [kafkaLost] = await numbers(page, 'world-lost-kafka');
    check(syncFailed >= 45 && syncFailed <= 51 && kafkaFailed === 0 && kafkaLost === 0,
      `sync-vs-kafka ${tag}: email down 10 s fails ${syncFailed} synchronous orders, ${kafkaFailed} through Kafka, ${kafkaLost} lost`);
    check(await page.locator('[data-testid=world-lane] .ks-lane-node').count() === 4,
      `sync-vs-kafka ${tag}: the lane shows the order service and its three calls`);
    const sms = await offsets(page, 'sms_group');
    check(sms.ends >= 300 && sms.current >= 0.8 * sms.ends,
      `sync-vs-kafka ${tag}: the SMS group added at 60 s read the orders since 0 s (${sms.current} of ${sms.ends})`);
    // The lane's service is the page's action for crash_service: it crashes the email group too.
    await page.getByTestId('service-email').click();
    await page.waitForTimeout(400);
    check(/ks-lane-down/.test(await page.getAttribute('[data-testid=service-email]', 'class')),
      `sync-vs-kafka ${tag}: clicking email in the lane takes it down`);
    check(await page.locator('[data-testid=restart-email-1]').count() === 1
      && await page.locator('[data-testid=restart-email-2]').count() === 1
      && await page.locator('[data-testid=events] li[data-type=service_down]').count() >= 1,
      `sync-vs-kafka ${tag}: and its consumer group's members crash with it`);
    await page.screenshot({ path: `artifacts/world-sync-vs-kafka-${tag}.png`, fullPage: true });
    await page.close();

    // 4: the flash sale, 100,000/s for 2 s from 10 s against 5,000 writes a second.
    page = await open('flash-sale', tag, 14);
    const [saleSyncFailed] = await numbers(page, 'world-failed-sync');
    const [saleKafkaFailed] = await numbers(page, 'world-failed-kafka');
    check(saleSyncFailed > 100000 && saleKafkaFailed === 0,
      `flash-sale ${tag}: ${saleSyncFailed} synchronous requests failed, ${saleKafkaFailed} through Kafka`);
    const sinkEffects = await datum(page, 'sink-order_writer', 'effects');
    check(sinkEffects > 10000, `flash-sale ${tag}: the database applied ${sinkEffects} writes`);
    await page.screenshot({ path: `artifacts/world-flash-sale-${tag}.png`, fullPage: true });
    await page.close();

    // 5: a crash before the commit: duplicates only without idempotence.
    page = await open('crash-before-commit', tag, 40);
    const plainDuplicates = await datum(page, 'sink-billing_plain', 'duplicates');
    const plainRejected = await datum(page, 'sink-billing_plain', 'rejected');
    check(plainDuplicates > 0 && plainRejected === 0,
      `crash-before-commit ${tag}: without idempotence ${plainDuplicates} duplicate effects`);
    for (const group of ['billing_unique_key', 'billing_dedup_store', 'billing_state_machine']) {
      const duplicates = await datum(page, `sink-${group}`, 'duplicates');
      const rejected = await datum(page, `sink-${group}`, 'rejected');
      check(duplicates === 0 && rejected === plainDuplicates,
        `crash-before-commit ${tag}: ${group} has ${duplicates} duplicate effects and rejects ${rejected}`);
    }
    await page.screenshot({ path: `artifacts/world-crash-before-commit-${tag}.png`, fullPage: true });
    await page.close();

    // 6: queue against log: the SMS queue declared at 60 s gets only what is published after.
    page = await open('queue-vs-log', tag, 80);
    const emailPublished = await datum(page, 'queue-email-queue', 'published');
    const emailRedelivered = await datum(page, 'queue-email-queue', 'redelivered');
    const smsPublished = await datum(page, 'queue-sms-queue', 'published');
    check(emailRedelivered > 0, `queue-vs-log ${tag}: the crashed mailer's messages were redelivered (${emailRedelivered})`);
    check(smsPublished > 0 && smsPublished < emailPublished / 2,
      `queue-vs-log ${tag}: the late queue got ${smsPublished} of ${emailPublished} orders`);
    const smsLog = await offsets(page, 'sms_group');
    check(smsLog.ends >= 600 && smsLog.current >= 0.8 * smsLog.ends,
      `queue-vs-log ${tag}: the late consumer group read the whole log (${smsLog.current} of ${smsLog.ends})`);
    await page.screenshot({ path: `artifacts/world-queue-vs-log-${tag}.png`, fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.error(`${failures.length} world check(s) failed`);
  process.exit(1);
}
console.log('world checks passed');
