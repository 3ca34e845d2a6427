// The picture fits every screen: at 390×844 and 768×1024, in both languages, every producer, broker,
// partition log and consumer group of each example scenario lies inside the picture's visible area (its
// scroll box), with nothing to scroll sideways. Where labels would be under 9 CSS px they give way to
// tap-to-read (the hint shows, and tapping a part fills the selection panel); zooming in makes the labels
// legible and the picture pans; "fit" brings it back. Screenshots go to artifacts/fit/.
import { mkdirSync, readFileSync } from 'node:fs';
import { serveDist, launchChromium, scenarioLink, returningVisitor } from './browser.mjs';

const dist = process.argv[2] ?? 'dist';
const server = await serveDist(dist);
const browser = await launchChromium();
const failures = [];
const check = (ok, message) => { if (!ok) { console.log(`  FAIL ${message}`); failures.push(message); } return ok; };
mkdirSync('artifacts/fit', { recursive: true });

// The examples the page offers (src/state.rs EXAMPLES).
const examples = [...readFileSync("src/state.rs", "utf8").matchAll(/\(\s*"([a-z-]+)",\s*Msg::Scenario/g)].map((m) => m[1]);
check(examples.length >= 9, `the examples are listed (${examples.length})`);

/** The parts of the picture that are outside its visible area. */
const outside = (page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=picture-scroll]').getBoundingClientRect();
  const parts = document.querySelectorAll([
    '[data-testid=picture] [data-action^="select:producer:"]',
    '[data-testid=picture] [data-action^="select:broker:"]',
    '[data-testid=picture] [data-testid^="strip-"]',
    '[data-testid=picture] [data-action^="select:group:"]',
  ].join(','));
  const out = [];
  for (const part of parts) {
    const r = part.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
      out.push(`${part.getAttribute('data-action') ?? part.getAttribute('data-testid')} ${Math.round(r.left)}..${Math.round(r.right)} of ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return { count: parts.length, out, sideways: document.documentElement.scrollWidth > window.innerWidth + 1 };
});

for (const [width, height] of [[390, 844], [768, 1024]]) {
  for (const lang of ['en', 'zh-CN']) {
    const context = await browser.newContext({ viewport: { width, height }, locale: lang, hasTouch: true, isMobile: width < 500 });
    await returningVisitor(context);
    const page = await context.newPage();
    for (const name of examples) {
      const tag = `${width}×${height} ${lang} ${name}`;
      await page.goto(scenarioLink(server.origin, dist, name).replace('#', `#lang=${lang}&`));
      await page.waitForSelector('[data-testid=picture] [data-action^="select:broker:"]');
      await page.waitForTimeout(400);
      const { count, out, sideways } = await outside(page);
      check(count >= 4, `${tag}: the picture's parts are there (${count})`);
      check(out.length === 0, `${tag}: every part inside the picture: ${out.slice(0, 3).join('; ')}`);
      check(!sideways, `${tag}: nothing to scroll sideways`);
      if (name === 'order-service') {
        await page.screenshot({ path: `artifacts/fit/${width}x${height}-${lang}.png` });
        const tiny = await page.getAttribute('[data-testid=picture-wrap]', 'data-tiny');
        if (tiny === 'true') {
          check(await page.locator('[data-testid=picture-tap-hint]').count() === 1, `${tag}: tiny labels give way to the tap hint`);
          await page.locator('[data-testid=picture] [data-action^="select:broker:"]').first().tap();
          await page.waitForSelector('[data-testid=selection] dl');
          check(true, `${tag}: tapping a part reads it`);
        }
        // Zoomed in, the labels are legible and the picture pans; fit brings it back.
        for (let i = 0; i < 4; i += 1) await page.click('[data-testid=picture-zoom-in]');
        await page.waitForTimeout(300);
        const zoomed = await page.evaluate(() => {
          const scroll = document.querySelector('[data-testid=picture-scroll]');
          return { wide: scroll.scrollWidth > scroll.clientWidth + 10, tiny: document.querySelector('[data-testid=picture-wrap]').dataset.tiny };
        });
        check(zoomed.wide, `${tag}: zoomed in, the picture pans`);
        check(zoomed.tiny === 'false', `${tag}: zoomed in, the labels are legible`);
        await page.screenshot({ path: `artifacts/fit/${width}x${height}-${lang}-zoomed.png` });
        await page.click('[data-testid=picture-fit]');
        await page.waitForTimeout(300);
        const fitted = await outside(page);
        check(fitted.out.length === 0, `${tag}: fit brings every part back inside`);
      }
    }
    await context.close();
  }
}

await browser.close();
server.close();
console.log(failures.length ? `${failures.length} check(s) failed` : 'fit: all checks passed');
if (failures.length) process.exit(1);
