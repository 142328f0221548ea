/**
 * The offline console: ConsoleSession in-process, parseLine, and the real
 * `src/console/main.ts` run as a child process, whose JSON must be exactly
 * what the session returns in-process.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commands } from '../../commands/index.js';
import { createApp } from '../../src/app.js';
import { buttonsOf, formatPayload } from '../../src/console/format.js';
import { ConsoleSession, CONSOLE_GUILD, usage } from '../../src/console/main.js';
import { parseLine } from '../../src/console/parse.js';
import { openDatabase } from '../../src/db/database.js';
import { Dispatcher } from '../../src/interactions/dispatch.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { QuizService } from '../../src/quiz/service.js';
import { SqliteQuizStore } from '../../src/quiz/sqlite-store.js';
import { chicagoNote } from '../../src/render/citation.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const app = createApp({ random: () => 0 });
const NOW = new Date('2024-03-04T12:00:00Z');
const session = () => new ConsoleSession(new Dispatcher(commands, app), () => NOW);
const nep = app.search.search('nep').hits.map((h) => h.quote);

const footer = (p: MessagePayload) => p.embeds?.[0]?.footer?.text ?? '';
const COMMAND_LIST = commands.map((c) => `/${c.data.name}`).join(', ');

/** The console's main.ts as `npm run console` runs it, outside the test runner's environment. */
function consoleMain(args: string[], input?: string) {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/console/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env, ...(input !== undefined ? { input } : {}) });
}

describe('ConsoleSession', () => {
  it('/quote nep, then next, cite, context, prev', async () => {
    const s = session();
    const first = await s.run('/quote nep');
    assert.equal(footer(first), `${nep[0]?.id} · quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices” (2024) · 1 of 26 for “nep”`);
    assert.equal(
      formatPayload(first).split('\n').slice(-2).join('\n'),
      '[◀ Previous] [Next ▶] [Cite] [Context]\npress a button by typing: next, cite, context',
    );

    const second = await s.run('next');
    assert.match(footer(second), new RegExp(`^${nep[1]?.id} · .* · 2 of 26 for “nep”$`));

    const cite = await s.run('cite');
    assert.equal(cite.flags, 64);
    assert.equal(cite.embeds?.[0]?.title, `Cite ${nep[1]?.id}`, 'cites the quote on the page shown');
    assert.ok(nep[1] && cite.embeds?.[0]?.description?.includes(chicagoNote(app.corpus, nep[1])));

    const context = await s.run('Context');
    assert.equal(context.flags, 64);
    assert.equal(context.embeds?.[0]?.title, `Context of ${nep[1]?.id}`, 'cite did not replace the page whose buttons are pressed');

    const back = await s.run('prev');
    assert.deepEqual(back, first);
  });

  it('prints a page as a reader sees it in Discord', async () => {
    const text = formatPayload(await session().run('/quote nep'));
    assert.equal(
      text,
      [
        '│ A lathe operator also suggested that the “NEP under Lenin, was very good; people were free. After NEP there began the Commune, and then the Collective Farm. It was a different life.”',
        '│ ',
        '│ — a lathe operator',
        '│ Source: Interview',
        '│ Note: [2] Harvard Project on the Soviet Social System — https://library.harvard.edu/sites/default/files/static/collections/hpsss/index.html',
        '│ Themes: The NEP, Collectivization',
        '│ lr-011 · quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices” (2024) · 1 of 26 for “nep”',
        '[◀ Previous] [Next ▶] [Cite] [Context]',
        'press a button by typing: next, cite, context',
      ].join('\n'),
    );
  });

  it('a disabled button says so', async () => {
    const s = session();
    await s.run('/quote nep');
    const reply = await s.run('previous');
    assert.deepEqual(reply, { content: 'The ◀ Previous button is disabled here.', flags: 64, allowed_mentions: { parse: [] } });
  });

  it('an unknown word lists the buttons that can be pressed', async () => {
    const s = session();
    assert.equal((await s.run('next')).content, 'Type a command, e.g. /quote nep, /source 8, /themes, /about');
    await s.run('/quote nep');
    const reply = await s.run('forward');
    assert.deepEqual(reply, { content: 'Type a command (/quote nep) or one of: next, cite, context', flags: 64, allowed_mentions: { parse: [] } });
  });

  it('/source 8 shows note 8', async () => {
    const reply = await session().run('/source 8');
    assert.equal(reply.embeds?.[0]?.title, 'Note 8');
    assert.equal(reply.flags, undefined);
  });

  it('an unknown command is refused with the list of commands', async () => {
    const reply = await session().run('/qoute nep');
    assert.deepEqual(reply, { content: `There is no command /qoute. Commands: ${COMMAND_LIST}`, flags: 64, allowed_mentions: { parse: [] } });
    assert.match(COMMAND_LIST, /^\/quote, \/source, \/themes, .*\/about/);
  });

  it('/quote theme:collectivization farms: the named option and the query', async () => {
    const reply = await session().run('/quote theme:collectivization farms');
    const expected = app.search.search('farms', { theme: 'collectivization' }).hits;
    assert.ok(expected.length > 1);
    assert.equal(footer(reply), `${expected[0]?.quote.id} · quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices” (2024) · 1 of ${expected.length} for “farms” · theme Collectivization`);
    assert.ok(buttonsOf(reply).some((b) => b.word === 'next' && !b.disabled));
  });

  it('a quiz: each answer is pressed by a word of its own, and the answer is counted and acknowledged', async (t) => {
    const db = openDatabase(':memory:');
    t.after(() => db.close());
    const quizApp = createApp({ library: app, random: () => 0, quiz: new QuizService(app.corpus, new SqliteQuizStore(db)) });
    const student = new ConsoleSession(new Dispatcher(commands, quizApp), () => NOW);
    const quiz = await student.run('/quiz ask');
    const buttons = buttonsOf(quiz);
    assert.equal(buttons.length, 5, 'four answers and Reveal');
    const words = buttons.map((b) => b.word);
    assert.equal(new Set(words).size, 5, `distinct words: ${words.join(', ')}`);
    for (const b of buttons) assert.ok(b.word !== '' && !['a', 'an', 'the'].includes(b.word), `a usable word for ${b.label}: ${b.word}`);
    const ack = await student.run(words[0] as string);
    assert.match(ack.content ?? '', /^(Right|Not this time) — it was \*\*/);
    assert.equal(ack.flags, 64);
    const again = await student.run(words[1] as string);
    assert.match(again.content ?? '', /^You have answered this quiz already/);
  });

  it('button words: the first word a label has and the others lack, else its first words; never two alike', () => {
    const row = (...labels: string[]): MessagePayload => ({
      components: [{ type: 1, components: labels.map((label, i) => ({ type: 2, style: 2, label, custom_id: `b${i}` })) }],
      allowed_mentions: { parse: [] },
    });
    const words = (...labels: string[]) => buttonsOf(row(...labels)).map((b) => b.word);
    assert.deepEqual(words('A young Ukrainian mechanic', 'A young Ukrainian student', 'A Ukrainian turner', 'Reveal'), ['mechanic', 'student', 'turner', 'reveal']);
    assert.deepEqual(words('A 35-year-old Russian journalist', 'A young Russian', 'A young Red Army officer'), ['35-year-old', 'young russian', 'red']);
    assert.deepEqual(words('A worker', 'A worker', 'The NKVD'), ['worker 1', 'worker 2', 'nkvd']);
    assert.deepEqual(words('◀ Previous', 'Next ▶', 'Cite', 'Context'), ['previous', 'next', 'cite', 'context']);
    assert.deepEqual(words('#111 · 08:30', '#general · 09:00'), ['111', 'general']);
  });

  it('/daily set role:@everyone is refused, and nothing is saved', () => {
    const run = consoleMain(['--json'], '/daily set channel:#100000000000000003 time:08:00 timezone:UTC role:@everyone\n/daily status\n');
    assert.equal(run.status, 0, run.stderr);
    const [set, status] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as MessagePayload);
    assert.match(set?.content ?? '', /^The daily post cannot mention @everyone\. .*Nothing was saved\.$/);
    assert.match(status?.content ?? '', /^The voice of the day is not set up here\./);
  });

  it('/source 1, a note no quotation rests on, says so in words', async () => {
    const fields = (await session().run('/source 1')).embeds?.[0]?.fields ?? [];
    assert.deepEqual(fields[0], { name: 'Quotes', value: `None of the ${app.corpus.quotes.length} quotations of this work rests on this note.` });
  });

  it('a bad option value is refused before any command runs', async () => {
    const reply = await session().run('/source abc');
    assert.deepEqual(reply, { content: 'n must be a whole number', flags: 64, allowed_mentions: { parse: [] } });
  });
});

describe('parseLine', () => {
  const ok = (line: string) => {
    const r = parseLine(line, commands);
    if (!r.ok) assert.fail(`${line}: ${r.error}`);
    return r.line;
  };
  const error = (line: string) => {
    const r = parseLine(line, commands);
    if (r.ok) assert.fail(`${line} parsed as ${JSON.stringify(r.line)}`);
    return r.error;
  };

  it('free text goes to the first text option', () => {
    assert.deepEqual(ok('/quote collective farms'), { commandName: 'quote', subcommand: null, options: { query: 'collective farms' } });
    assert.deepEqual(ok('/QUOTE nep'), { commandName: 'quote', subcommand: null, options: { query: 'nep' } });
    assert.deepEqual(ok('/themes'), { commandName: 'themes', subcommand: null, options: {} });
  });

  it('named options, bare or in straight or curly quotes', () => {
    assert.deepEqual(ok('/quote theme:collectivization farms').options, { theme: 'collectivization', query: 'farms' });
    assert.deepEqual(ok('/quote speaker:"Red Army officer" theme:nep').options, { speaker: 'Red Army officer', theme: 'nep' });
    assert.deepEqual(ok('/quote speaker:“collective farm worker” lenin').options, { speaker: 'collective farm worker', query: 'lenin' });
    assert.deepEqual(ok('/quote query:"spicy dishes" source:interview').options, { query: 'spicy dishes', source: 'interview' });
    assert.deepEqual(ok('/quote Theme:nep').options, { theme: 'nep' });
  });

  it('integer options are numbers, and must be whole', () => {
    assert.deepEqual(ok('/source 8').options, { n: 8 });
    assert.deepEqual(ok('/source n:3').options, { n: 3 });
    assert.deepEqual(ok('/quote note:8 nep').options, { note: 8, query: 'nep' });
    assert.equal(error('/source abc'), 'n must be a whole number');
    assert.equal(error('/source 2.5'), 'n must be a whole number');
    assert.equal(error('/quote note:eight'), 'note must be a whole number');
  });

  it('integers are plain whole numbers within the option’s range, never 1e1 or 0x10', () => {
    assert.equal(error('/source 1e1'), 'n must be a whole number');
    assert.equal(error('/source 0x10'), 'n must be a whole number');
    assert.equal(error('/source 8.0'), 'n must be a whole number');
    assert.equal(error('/source 99999999999999999999'), 'n must be a whole number');
    assert.deepEqual(ok('/source +8').options, { n: 8 });
    assert.equal(error('/quote note:0 nep'), 'note must be from 1 to 99');
    assert.equal(error('/quote note:100'), 'note must be from 1 to 99');
  });

  it('an option the command does not have is refused with the ones it has', () => {
    assert.equal(
      error('/quote colour:red nep'),
      '/quote has no option colour. Its options are query, theme, speaker, source, work, note. To search for words with a colon, quote them: query:"colour:…".',
    );
    assert.equal(error('/themes colour:red'), '/themes has no option colour. It takes no options.');
    assert.equal(error('/source work:lenins-revenge page:3'), '/source has no option page. Its options are n, work.');
    assert.equal(error('/daily set colour:red time:08:00'), '/daily set has no option colour. Its options are channel, time, timezone, days, quiz, role, thread, language.');
    // A quoted value, a time, a URL and a colon at a word's end are text, not options.
    assert.deepEqual(ok('/quote query:"colour:red"').options, { query: 'colour:red' });
    assert.deepEqual(ok('/quote 12:30 lenin: http://example.org').options, { query: '12:30 lenin: http://example.org' });
  });

  it('roles: an id or <@&id>, and @everyone is the server’s own id (as in Discord); other words are refused', () => {
    const daily = '/daily set channel:#100000000000000003 time:08:00 timezone:UTC';
    const role = (line: string) => {
      const r = parseLine(line, commands, { guildId: CONSOLE_GUILD });
      return r.ok ? r.line.options.role : r.error;
    };
    assert.deepEqual(role(`${daily} role:@everyone`), { kind: 'role', id: CONSOLE_GUILD, name: '@everyone', mentionable: false });
    assert.deepEqual(role(`${daily} role:<@&1180000000000000301>`), { kind: 'role', id: '1180000000000000301', name: '1180000000000000301', mentionable: false });
    assert.equal(role(`${daily} role:@Readers`), 'role must be a role, written <@&id> or as its id (17–20 digits)');
    assert.equal(error(`${daily} thread:maybe`), 'thread must be true or false');
    assert.deepEqual(ok(`${daily} thread:no`).options.thread, false);
  });

  it('refuses what Discord would not send', () => {
    assert.equal(error('/source'), '/source needs n');
    assert.equal(error('/themes all'), '/themes takes no free text; use name:value options (none)');
    assert.equal(error('/nope'), `There is no command /nope. Commands: ${COMMAND_LIST}`);
    assert.equal(error('quote nep'), 'Commands start with a slash, e.g. /quote nep');
  });
});

describe('the console CLI', () => {
  it('--json "/quote nep" prints one JSON object: the payload the session returns in-process', async () => {
    const run = consoleMain(['--json', '/quote nep']);
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const printed = JSON.parse(run.stdout) as unknown;
    assert.deepEqual(printed, await session().run('/quote nep'));
    assert.equal(run.stdout, `${JSON.stringify(printed, null, 2)}\n`, 'exactly one object, and nothing else');
  });

  it('--json on stdin: one JSON line per input line, blank lines and unknown commands included; quit answers, then ends', async () => {
    const run = consoleMain(['--json'], '/quote nep\nnext\n\n/qoute x\n/source 8\nquit\n/themes\n');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const lines = run.stdout.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 6, 'six lines up to and including quit; nothing is read after it');
    const s = session();
    const expected = [await s.run('/quote nep'), await s.run('next'), await s.run(''), await s.run('/qoute x'), await s.run('/source 8')];
    assert.deepEqual(
      lines.slice(0, 5).map((l) => JSON.parse(l) as unknown),
      expected,
    );
    assert.match(footer(expected[1] as MessagePayload), / · 2 of 26 for “nep”$/);
    assert.match((expected[2] as MessagePayload).content ?? '', /^Type a command/);
    assert.deepEqual(JSON.parse(lines[5] ?? ''), { content: 'Bye: the console stops here, and reads no further lines.', flags: 64, allowed_mentions: { parse: [] } });
  });

  it('--help prints the usage and every command with its options; an unknown flag is refused', () => {
    const help = consoleMain(['--help']);
    assert.equal(help.status, 0);
    assert.equal(help.stderr, '');
    assert.equal(help.stdout, `${usage()}\n`);
    assert.match(help.stdout, /^ {2}\/quote \[query:…\] \[theme:…\] \[speaker:…\] \[source:…\] \[work:…\] \[note:…\] {2}/m);
    assert.match(help.stdout, /^ {2}\/daily set channel:… time:… timezone:… \[days:…\] \[quiz:…\] \[role:…\] \[thread:…\] \[language:…\] {2}/m);
    const bad = consoleMain(['--jsno', '/quote nep']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, 'Unknown option --jsno. The options are --json, --data DIR, --lang LANGUAGE and --help. Run: npm run console -- --help\n');
  });

  it('a reader that stops early (| head -1): the console stops quietly, no EPIPE', async () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/console/main.ts', '--json'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like head -1: read the first line, then close the pipe while more answers are coming.
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.on('error', () => undefined);
    child.stdin.end('/quote nep\n'.repeat(300));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
  it('refuses to start on a broken corpus (--data), listing the problem', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.cpSync(path.join(ROOT, 'data'), dir, { recursive: true });
    const quotes = path.join(dir, 'sources', 'lenins-revenge', 'quotes.json');
    const text = fs.readFileSync(quotes, 'utf8');
    assert.ok(text.includes('"id":"lr-097","paragraph":29'));
    fs.writeFileSync(quotes, text.replace('"id":"lr-097","paragraph":29', '"id":"lr-097","paragraph":30'));

    const run = consoleMain(['--data', dir, '--json', '/quote nep']);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        'The corpus is invalid, so the console will not start (1 problem(s)):',
        `  ${path.relative(ROOT, quotes)} [lr-097]: part 1 is not in the source as written: "Stalin must be removed, he has left Lenin's path. Our country is regressing.": it occurs in the source, but not in paragraph 30 (found at line 61)`,
        '',
      ].join('\n'),
    );
  });

  it('--data with the real data/ answers as the default does', () => {
    const run = consoleMain(['--data', path.join(ROOT, 'data'), '--json', '/source 8']);
    assert.equal(run.status, 0);
    assert.equal((JSON.parse(run.stdout) as MessagePayload).embeds?.[0]?.title, 'Note 8');
  });
});

describe('the entry point', () => {
  it('starts from a symlinked checkout under a path with % and # (found by real path)', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv link %#'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const link = path.join(dir, 'checkout');
    fs.symlinkSync(process.cwd(), link);
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(link, 'src/console/main.ts'), '/themes'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Themes/);
  });
});
