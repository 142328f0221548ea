/* global process, console */
/**
 * `npm start` (and `npm run main`): runs the compiled bot from dist/ on plain
 * Node. When the sources are unchanged since the last build it starts at once;
 * when anything changed it builds first (incrementally), so what runs is
 * always what the sources say. A failed build refuses to start.
 *
 *   node scripts/start.mjs [dist entry]     default: dist/src/main.js
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, isFresh, ROOT } from './build.mjs';

const entry = process.argv[2] ?? 'dist/src/main.js';
if (!isFresh(entry)) {
  console.error('start: the sources changed since the last build (or there is none): building first (npm run build)…');
  if (!build({ quiet: true })) {
    console.error('start: the build failed (errors above), so the bot will not start. Fix them; `npm run build` shows them again.');
    process.exit(1);
  }
}
// The entry becomes the program, as if Node had been started on it (it checks that it is the main module).
const file = path.join(ROOT, entry);
process.argv.splice(1, 2, file);
process.setSourceMapsEnabled(true);
await import(pathToFileURL(file).href);
