// Hostile share links: a script payload in every string field of a scenario and of every kind of timeline
// entry. For each link the page must show either the run or a clear error (data-testid=error), never run
// the payload (a sentinel global stays unset), and never trip its Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveDist, launchChromium, recordCspViolations } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const base = JSON.parse(readFileSync(join(dist, 'scenarios', 'order-service.json'), 'utf8'));

const payloads = [
  '<img src=x onerror="window.__pwned=1">',
  '"><svg onload="window.__pwned=2">',
  "'><svg onload='window.__pwned=3'>",
  '</li><script>window.__pwned=4</script>',
  'javascript:window.__pwned=5',
];

const group = base.groups[0].id, member = base.groups[0].members[0].id;
const producer = base.producers[0].id, topic = base.topics[0].name;
// One timeline entry of every kind, with every string field; `at_ms` 50 so that entries fire at once.
const entries = [
  { action: 'crash_consumer', group, member },
  { action: 'leave_consumer', group, member },
  { action: 'restart_consumer', group, member },
  { action: 'stall_consumer', group, member, ms: 100 },
  { action: 'add_consumer', group, member: 'extra-1', topics: [topic] },
  { action: 'add_group', group: { id: 'g2', topics: [topic], config: { 'auto.offset.reset': 'earliest' }, members: [{ id: 'g2-1', topics: [topic], group_instance_id: 'g2-static' }] } },
  { action: 'set_producer_rate', producer, rate_per_sec: 10 },
  { action: 'set_producer_keys', producer, keys: { list: ['a', 'b'] } },
  { action: 'set_producer_keys', producer, keys: { hot: { key: 'hot', percent: 50, distinct: 4 } } },
  { action: 'set_producer_config', producer, name: 'linger.ms', value: '5' },
  { action: 'set_group_config', group, name: 'max.poll.records', value: '10' },
  { action: 'set_processing_time', group, ms_per_record: 1 },
  { action: 'set_topic_config', topic, name: 'retention.ms', value: '60000' },
  { action: 'add_partitions', topic, partitions: 8 },
  { action: 'partition_network', a: `member:${group}/${member}`, b: 'broker:1' },
  { action: 'heal_network', a: `member:${group}/${member}` },
];

/** Every path to a string (or an object key, marked `{key}`) inside `value`. */
function stringPaths(value, path = []) {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(path.length && path[path.length - 1] === 'config' ? [[...path, { key }]] : []),
      ...stringPaths(item, [...path, key]),
    ]);
  }
  return [];
}

/** A copy of `value` with the string (or key) at `path` replaced by `payload`. */
function inject(value, path, payload) {
  const copy = structuredClone(value);
  let at = copy;
  for (const step of path.slice(0, -1)) at = at[step];
  const last = path[path.length - 1];
  if (typeof last === 'object') { at[payload] = at[last.key]; delete at[last.key]; } else at[last] = payload;
  return copy;
}

const cases = [];
const scenario = { ...base, name: 'hostile', description: 'hostile', timeline: [] };
// A static member too, so that its group_instance_id is one of the fields.
scenario.groups = structuredClone(base.groups);
scenario.groups[0].members[0].group_instance_id = 'static-1';
for (const path of stringPaths(scenario)) cases.push({ where: path.map((p) => (typeof p === 'object' ? `{${p.key}}` : p)).join('.'), scenario: (payload) => inject(scenario, path, payload) });
for (const entry of entries) {
  for (const path of stringPaths(entry)) {
    if (path[0] === 'action') continue;
    cases.push({
      where: `timeline:${entry.action}.${path.map((p) => (typeof p === 'object' ? `{${p.key}}` : p)).join('.')}`,
      scenario: (payload) => ({ ...scenario, timeline: [{ at_ms: 50, ...inject(entry, path, payload) }] }),
    });
  }
}

// HOSTILE_ONLY=text keeps the cases whose field contains `text` (to rehearse one case by hand).
const only = process.env.HOSTILE_ONLY;
if (only) cases.splice(0, cases.length, ...cases.filter((c) => c.where.includes(only)));

const browser = await launchChromium();
const failures = [];
let accepted = 0, refused = 0;
/** Opens every link of `jobs` in one page, in turn. */
async function worker(jobs) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await recordCspViolations(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  for (const { where, payload, scenario } of jobs) {
    const link = `${server.origin}/#s=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}`;
    await page.goto('about:blank');
    await page.goto(link);
    try {
      // Generous: two pages load at once, and CI machines are slow; a case that never shows the
      // picture is named below instead of stopping the run.
      await page.waitForSelector('[data-testid=picture]', { timeout: 60000 });
    } catch (e) {
      failures.push(`${where} ← ${payload}: the picture did not appear (${e.name})`);
      continue;
    }
    await page.waitForTimeout(250);
    const state = await page.evaluate(() => ({
      pwned: window.__pwned, csp: window.__csp,
      error: document.querySelector('[data-testid=error]')?.textContent ?? null,
      svg: document.querySelectorAll('[data-testid=picture] svg').length,
      scripts: document.querySelectorAll('body script, body img, body [onload], body [onerror]').length,
    }));
    const problems = [];
    if (state.pwned !== undefined) problems.push(`the payload ran (window.__pwned = ${state.pwned})`);
    if (state.csp.length) problems.push(`CSP violations: ${state.csp.join('; ')}`);
    if (state.scripts) problems.push(`${state.scripts} injected script/img/handler element(s) in the page`);
    if (state.svg !== 1) problems.push('no picture');
    if (errors.length) problems.push(`page errors: ${errors.splice(0).join(' | ')}`);
    if (state.error !== null) refused += 1; else accepted += 1;
    if (problems.length) failures.push(`${where} ← ${payload}: ${problems.join(', ')}`);
  }
  await page.close();
}

try {
  const jobs = cases.flatMap((c) => payloads.map((payload) => ({ where: c.where, payload, scenario: c.scenario(payload) })));
  // Two pages at a time: loading the wasm module is most of each case's time.
  await Promise.all([0, 1].map((w) => worker(jobs.filter((_, i) => i % 2 === w))));
} finally {
  await browser.close();
  server.close();
}
const total = accepted + refused;
console.log(`  hostile links: ${cases.length} string fields × ${payloads.length} payloads = ${total} links; ${refused} refused with an error, ${accepted} run; ${failures.length} failed`);
for (const failure of failures) console.log(`  FAIL ${failure}`);
if (failures.length) process.exit(1);
