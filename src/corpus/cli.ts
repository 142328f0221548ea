/**
 * `npm run corpus -- check [--data DIR] [--mutations]` and `npm run corpus -- export [--data DIR]`.
 * `--mutations` also tries every single wrong change of every quote's attribution and says how many the check refuses.
 * `npm run corpus -- draft FILE --id ID …` drafts a new source folder; `npm run corpus -- review ID` reviews it.
 */
import path from 'node:path';
import dotenv from 'dotenv';
import { parseConfig } from '../config.js';
import { runDraft } from './draft/command.js';
import { runReviewCommand } from './draft/review.js';
import { formatProblem, loadCorpus, quoteChecker } from './load.js';
import { describeMutation, runMutations } from './mutations.js';
import { exportCorpus, summarise } from './report.js';
import type { Corpus } from './types.js';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dataAt = rest.indexOf('--data');
  // --data wins; otherwise DATA_DIR (environment or .env), as the bot reads it; otherwise data/.
  dotenv.config({ quiet: true });
  const dataDir = dataAt >= 0 && rest[dataAt + 1] ? path.resolve(rest[dataAt + 1] as string) : parseConfig(process.env).dataDir;
  if (command === 'draft') return runDraft(rest, dataDir, (line) => console.log(line), new Date().toISOString().slice(0, 10));
  if (command === 'review') return runReviewCommand(rest, dataDir, process.stdin, process.stdout);
  if (command !== 'check' && command !== 'export') {
    console.error('usage: npm run corpus -- check|export [--data DIR] [--mutations] | draft FILE --id ID [--title --author --date --url --compare DIR] | review ID');
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
  if (command === 'check' && rest.includes('--mutations')) return mutationReport(dataDir, result.corpus);
  return 0;
}

function mutationReport(dataDir: string, corpus: Corpus): number {
  let holes = 0;
  console.log('\nmutations (every single wrong change of speaker word, facet, kind or note must be refused)');
  for (const source of corpus.sources) {
    const folder = path.basename(path.dirname(source.path));
    const report = runMutations(quoteChecker(dataDir, folder), source.notes.map((n) => n.n), corpus.kinds.map((k) => k.id));
    console.log(`  ${source.id}: ${report.caught} of ${report.tried} refused`);
    for (const [field, c] of report.byField) console.log(`    ${field.padEnd(12)} ${String(c.caught).padStart(6)} of ${String(c.tried).padStart(6)}`);
    for (const m of report.passed) console.log(`    let through: ${describeMutation(m)} ("${m.entry.speaker}")`);
    holes += report.passed.length;
  }
  return holes > 0 ? 1 : 0;
}

// `npm run corpus -- export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
