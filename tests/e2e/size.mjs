// Fails when the release build's .wasm + .js exceed the 480 KB gzipped budget, read strictly: 480,000 bytes
// (gzip level 9).
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const BUDGET = 480 * 1000;
let total = 0;
for (const name of readdirSync(dist)) {
  if (!name.endsWith('.wasm') && !name.endsWith('.js')) continue;
  const gz = gzipSync(readFileSync(join(dist, name)), { level: 9 }).length;
  console.log(`  ${name}: ${gz} bytes gzipped`);
  total += gz;
}
console.log(`  total: ${total} bytes gzipped (budget ${BUDGET})`);
if (total === 0 || total > BUDGET) {
  console.error(total === 0 ? 'no .wasm/.js in dist' : 'over budget');
  process.exit(1);
}
