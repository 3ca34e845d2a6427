// Shared by the browser scripts: serve dist/ on a free localhost port, launch Debian's Chromium, open a
// scenario warmed up, read the simulated clock.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { chromium } from 'playwright-core';

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

/** Serves `dist`; resolves to `{ origin, close }`. */
export async function serveDist(dist) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(req.url.split('?')[0]);
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dist, path);
    if (!existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** The page address that loads example scenario `name` from `dist/scenarios` through a replay link;
 * `overrides` replace top-level fields (e.g. `{ time_quantum_ms: 10 }`). */
export function scenarioLink(origin, dist, name, overrides = {}) {
  const scenario = { ...JSON.parse(readFileSync(join(dist, 'scenarios', `${name}.json`), 'utf8')), ...overrides };
  return `${origin}/#s=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}`;
}

/** Headless Chromium from Debian, with the flags this closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Records the page's Content-Security-Policy violations in `window.__csp` from its first script on. */
export async function recordCspViolations(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

/** A 1280×720 page running example scenario `name` (with `overrides`), after `warmUpMs` of warm-up: the
 * groups form and traffic reaches steady state. */
export async function openWarmScenario(browser, origin, dist, name, overrides = {}, warmUpMs = 3000) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(scenarioLink(origin, dist, name, overrides));
  await page.waitForSelector('[data-testid=picture]');
  await page.waitForTimeout(warmUpMs);
  return page;
}

/** The simulated time the page's clock shows, in seconds. */
export async function simulatedSeconds(page) {
  return Number((await page.textContent('[data-testid=clock]')).match(/([\d.]+) s/)[1]);
}

/** Keeps the module's `WebAssembly.Memory` in `window.__wasmMemory` as it is instantiated (so that builds
 * without `memory_in_use`, older ones, can be measured too). Call before the page loads. */
export async function catchWasmMemory(page) {
  await page.addInitScript(() => {
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name];
      WebAssembly[name] = async (...args) => {
        const result = await original.apply(WebAssembly, args);
        const instance = result.instance ?? result;
        if (instance.exports?.memory) window.__wasmMemory = instance.exports.memory;
        return result;
      };
    }
  });
}

/** Makes `pageOrContext` a returning visitor: the lesson menu, which opens by itself on a first visit
 * (tests/e2e/lessons.mjs checks that), stays closed. Call before the page loads. */
export async function returningVisitor(pageOrContext) {
  await pageOrContext.addInitScript(() => localStorage.setItem('kafka-sim.visited', '1'));
}
