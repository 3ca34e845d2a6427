// Frame-time benchmark (prints figures; not a pass/fail test): loads the release build with the heavy
// scenario (6 brokers, 64 partitions RF 3, 10,000 records/s, 4 groups × 8 members) in headless Chromium,
// runs it at 1× for a few seconds (usage: node frame-bench.mjs dist [seconds] [scenario]), and prints p50/p95 frame times and the core's p95 time per frame.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { chromium } from 'playwright-core';

const dist = process.argv[2] ?? 'dist';
const seconds = Number(process.argv[3] ?? 8);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };
const server = createServer((req, res) => {
  let path = decodeURIComponent(req.url.split('?')[0]);
  if (path.endsWith('/')) path += 'index.html';
  const file = join(dist, path);
  if (!existsSync(file)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const scenarioName = process.argv[4] ?? 'heavy-benchmark';
const scenario = readFileSync(join(dist, 'scenarios', `${scenarioName}.json`), 'utf8');
const link = Buffer.from(JSON.stringify(JSON.parse(scenario))).toString('base64url');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${origin}/#s=${link}`);
  await page.waitForSelector('[data-testid=picture]');
  await page.waitForTimeout(3000); // warm up: the groups form, traffic reaches steady state
  const frames = await page.evaluate((ms) => new Promise((resolve) => {
    const times = [];
    let last = performance.now();
    const end = last + ms;
    const frame = (now) => { times.push(now - last); last = now; if (now < end) requestAnimationFrame(frame); else resolve(times); };
    requestAnimationFrame(frame);
  }), seconds * 1000);
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  const core = await page.getAttribute('html', 'data-core-p95-ms');
  const clock = await page.textContent('[data-testid=clock]');
  console.log(`frames: ${frames.length} in ${seconds} s (${(frames.length / seconds).toFixed(1)} fps)`);
  console.log(`frame time p50 ${pct(0.5).toFixed(1)} ms, p95 ${pct(0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
  console.log(`core (advance_to) per frame p95: ${core} ms`);
  console.log(`${clock}`);
} finally {
  await browser.close();
  server.close();
}
