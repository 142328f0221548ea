/**
 * `npm run corpus -- check [--data DIR]` and `npm run corpus -- export [--data DIR]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadCorpus } from './load.js';
import { exportCorpus, summarise } from './report.js';

const DEFAULT_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');

function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  const dataAt = rest.indexOf('--data');
  const dataDir = dataAt >= 0 && rest[dataAt + 1] ? path.resolve(rest[dataAt + 1] as string) : DEFAULT_DATA;
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

process.exitCode = main(process.argv.slice(2));
