// The page in both languages, in Debian's headless Chromium: the browser's language chooses it, the
// switch (data-testid=lang-switch) changes it without stopping the clock, the choice is remembered and
// carried in the link (lang=), <html lang> follows; every control is labelled in both languages; in
// zh-CN no run of three English words shows outside Kafka's names; the picture leads at 1280×720 (55% of
// the first screen), 768×1024 and 390×844 (40%); clicking the picture selects a broker, whose actions
// work. Screenshots of both languages at the three sizes go to artifacts/.
import { mkdirSync } from 'node:fs';
import { serveDist, launchChromium, simulatedSeconds, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const origin = server.origin;
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`); if (!ok) failures.push(message); };
mkdirSync('artifacts', { recursive: true });

// Words of Kafka's (and the simulator's) own that may stand in Chinese text; the same list as tests/i18n.rs.
const KAFKA_WORDS = new Set(['acks', 'all', 'none', 'earliest', 'latest', 'reset', 'null', 'true', 'false', 'range',
  'roundrobin', 'sticky', 'cooperative', 'eager', 'Broker', 'broker', 'poll', 'send', 'close', 'commitSync', 'ms',
  'MiB', 's', 'kafka', 'sim', 'English']);

/** Runs of three or more English words (not Kafka names) in `text`; the rule of tests/i18n.rs. */
function englishRuns(text) {
  const runs = [];
  for (const segment of text.split(/[^\x00-\x7f]/)) {
    let run = [];
    for (const token of [...segment.split(/\s+/), '']) {
      const word = token.replace(/^[()[\]{}:;,.!?"'=]+|[()[\]{}:;,.!?"'=]+$/g, '');
      const isWord = /^[A-Za-z][a-z]*$/.test(word) && !KAFKA_WORDS.has(word);
      if (isWord) run.push(word);
      else { if (run.length >= 3) runs.push(run.join(' ')); run = []; }
    }
  }
  return runs;
}

/** The text of every rendered text node of the page (HTML and SVG), one string per node. */
const visibleTexts = (page) => page.evaluate(() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || parent.closest('title, script, style, option')) continue;
    if (parent.getClientRects().length === 0) continue;
    texts.push(node.textContent.trim());
  }
  return texts;
});

/** Every control (input, select, textarea, button) and its accessible name as the page gives it. */
const controlNames = (page) => page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => ({
    id: el.dataset.testid ?? el.closest('[data-testid]')?.dataset.testid ?? el.tagName,
    name: (el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '').trim()
      || (el.title ?? '').trim(),
  })));

/** The share of the first viewport the picture covers (its box clipped to the viewport). */
const pictureShare = (page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=picture]').closest('.ks-picture-scroll').getBoundingClientRect();
  const width = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
  const height = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
  return (width * height) / (innerWidth * innerHeight);
});

/** Whether a message in flight is drawn on the canvas now (a pixel of a flow's colour). */
const recordInFlight = (page) => page.evaluate(() => {
  const canvas = document.querySelector('[data-testid=picture-canvas]');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const flows = [[0x00, 0x72, 0xb2], [0x00, 0x9e, 0x73], [0xe6, 0x9f, 0x00]];
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200 && flows.some(([r, g, b]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12)) return true;
  }
  return false;
});

async function open(locale, viewport, path = '/') {
  const context = await browser.newContext({ locale, viewport });
  await returningVisitor(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(origin + path);
  await page.waitForSelector('[data-testid=picture] svg', { timeout: 20000 });
  await page.waitForTimeout(2500);
  return { page, context, errors };
}

try {
  const sizes = [['desktop', { width: 1280, height: 720 }, 0.55], ['tablet', { width: 768, height: 1024 }, 0.40],
    ['phone', { width: 390, height: 844 }, 0.40]];
  const names = {};
  for (const [locale, tag] of [['zh-CN', 'zh-CN'], ['en-US', 'en']]) {
    for (const [size, viewport, share] of sizes) {
      const { page, context, errors } = await open(locale, viewport);
      check(errors.length === 0, `${tag} ${size}: starts with no errors ${errors.join(' | ')}`);
      check(await page.evaluate(() => document.documentElement.lang) === tag, `${tag} ${size}: the browser's language chooses ${tag} (<html lang>)`);
      const covered = await pictureShare(page);
      check(covered >= share, `${tag} ${size}: the picture covers ${(covered * 100).toFixed(0)}% of the first screen (at least ${share * 100}%)`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      check(overflow <= 0, `${tag} ${size}: nothing is wider than the screen (${overflow}px over)`);
      let inFlight = false;
      for (let i = 0; i < 40 && !inFlight; i += 1) {
        inFlight = await recordInFlight(page);
        if (!inFlight) await page.waitForTimeout(50);
      }
      check(inFlight, `${tag} ${size}: a record in flight is drawn`);
      await page.screenshot({ path: `artifacts/${tag}-${size}.png` });
      if (size === 'desktop') {
        const controls = await controlNames(page);
        const unnamed = controls.filter((c) => !c.name);
        check(controls.length > 20 && unnamed.length === 0, `${tag}: all ${controls.length} controls are labelled ${unnamed.map((c) => c.id).join(' ')}`);
        names[tag] = controls;
        if (tag === 'zh-CN') {
          const runs = (await visibleTexts(page)).flatMap(englishRuns);
          check(runs.length === 0, `zh-CN: no run of three English words outside Kafka's names ${runs.slice(0, 5).join(' | ')}`);
        }
      }
      await context.close();
    }
  }
  // Labelled in both languages: the same controls, and their names differ (translated) for most.
  const translated = names['zh-CN'].filter((c, i) => names.en[i] && c.name !== names.en[i].name).length;
  check(names['zh-CN'].length === names.en.length && translated >= names.en.length * 0.7,
    `every control is labelled in both languages (${translated} of ${names.en.length} names differ)`);

  // The switch: English to Chinese and back, the clock running throughout; remembered; in the link.
  const { page, context } = await open('en-US', { width: 1280, height: 720 });
  const before = await simulatedSeconds(page);
  await page.click('[data-testid=lang-zh-CN]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: 5000 });
  await page.waitForTimeout(800);
  const during = await simulatedSeconds(page);
  check(during > before, `switching to 中文 keeps the clock running (${before} s → ${during} s)`);
  check((await page.getAttribute('[data-testid=lang-zh-CN]', 'aria-pressed')) === 'true', 'the switch shows 中文 chosen');
  check(/[#&]lang=zh-CN(&|$)/.test(await page.evaluate(() => location.hash)), 'the link carries lang=zh-CN');
  check((await page.locator('[data-testid=events] li').count()) > 0, 'the event log is written again in Chinese');
  const remembered = await context.newPage();
  await remembered.goto(origin + '/');
  await remembered.waitForSelector('[data-testid=picture] svg', { timeout: 20000 });
  check(await remembered.evaluate(() => document.documentElement.lang) === 'zh-CN', 'the choice is remembered in a new page');
  await remembered.close();
  await page.click('[data-testid=lang-en]');
  await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 5000 });
  await page.waitForTimeout(500);
  check(await simulatedSeconds(page) > during, 'switching back to English keeps the clock running');

  // Selecting in the picture: a broker's facts and its action.
  await page.click('[data-testid=picture-broker-2]');
  await page.waitForSelector('[data-testid=selection] dl');
  check((await page.locator('[data-testid=selection] dd').count()) >= 4, 'clicking a broker shows its facts');
  await page.click('[data-testid=selection-broker-crash]');
  await page.waitForTimeout(400);
  check((await page.locator('[data-testid=events] li[data-type=broker_crashed]').count()) === 1, "the selection's crash button crashes the broker");
  await page.waitForSelector('[data-testid=selection-broker-restart]');
  await context.close();

  // A link's lang= wins over the browser's language; a bad one is named in an error, and the page runs.
  const linked = await open('en-US', { width: 1280, height: 720 }, '/#lang=zh-CN');
  check(await linked.page.evaluate(() => document.documentElement.lang) === 'zh-CN', 'a link with lang=zh-CN opens in Chinese');
  // A bad scenario's error is in Chinese too (the core's problems are codes), naming the field.
  await linked.page.fill('[data-testid=scenario-text]', '{"version": 1, "cluster": {"brokers": 99}, "topics": []}');
  await linked.page.click('[data-testid=load]');
  const errorText = await linked.page.textContent('[data-testid=error]', { timeout: 5000 }).catch(() => '');
  check(/cluster\.brokers/.test(errorText) && !/^[\x00-\x7f]*$/.test(errorText) && englishRuns(errorText).length === 0,
    `a bad scenario's error is in Chinese and names the field: "${errorText}"`);
  // The notice of a trap (public/fatal.js) speaks the page's language too.
  await linked.page.evaluate(() => window.wasmBindings.trap_on_next_frame());
  const fatal = await linked.page.waitForSelector('[data-testid=fatal]', { timeout: 5000 }).catch(() => null);
  const fatalText = fatal ? await fatal.textContent() : '';
  check(fatalText !== '' && englishRuns(fatalText).length === 0, `a trap's notice is in Chinese: "${fatalText.slice(0, 80)}"`);
  await linked.context.close();
  const bad = await open('en-US', { width: 1280, height: 720 }, '/#lang=%3Cscript%3E');
  check(/\blang\b/.test(await bad.page.textContent('[data-testid=error]')), 'a link with a bad lang= names the field in an error');
  check(bad.errors.length === 0 && (await bad.page.evaluate(() => document.documentElement.lang)) === 'en', 'and the page runs in the browser\'s language');
  await bad.context.close();
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.error(`${failures.length} i18n check(s) failed`);
  process.exit(1);
}
console.log('i18n checks passed');
