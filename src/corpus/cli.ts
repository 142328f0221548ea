/**
 * `npm run corpus -- check [--data DIR]` and `npm run corpus -- export [--data DIR]`.
 */
import path from 'node:path';
import dotenv from 'dotenv';
import { parseConfig } from '../config.js';
import { formatProblem, loadCorpus } from './load.js';
import { exportCorpus, summarise } from './report.js';

function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  const dataAt = rest.indexOf('--data');
  // --data wins; otherwise DATA_DIR (environment or .env), as the bot reads it; otherwise data/.
  dotenv.config({ quiet: true });
  const dataDir = dataAt >= 0 && rest[dataAt + 1] ? path.resolve(rest[dataAt + 1] as string) : parseConfig(process.env).dataDir;
  if (command !== 'check' && command !== 'export') {
    console.error('usage: npm run corpus -- check|export [--data DIR]');
    return 2;
  }
  const result = loadCorpus(dataDir);
  if (!result.ok) {
    console.error(`corpus: ${result.problems.length} problem(s) in ${path.relative(process.cwd(), dataDir) || dataDir}`);
    for (const p of result.problems) console.error(`  ${formatProblem(p)}`);
    return 1;
  }
  if (command === 'export') process.stdout.write(`${JSON.stringify(exportCorpus(result.corpus), null, 2)}\n`);
  else console.log(summarise(result.corpus));
  return 0;
}

// `npm run corpus -- export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = main(process.argv.slice(2));
