/**
 * The offline console: the bot's own command handlers, driven from a
 * terminal, no Discord needed.
 *
 *   npm run console                          interactive
 *   npm run console -- --json "/quote nep"   the exact payload the bot would send, as JSON
 *   npm run console -- --json < lines.txt    one payload per input line (JSON Lines)
 *   npm run console -- --data DIR ...        another corpus folder (default: data/)
 *   npm run console -- --help                usage, and every command with its options
 */
import { createInterface } from 'node:readline';
import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord-api-types/v10';
import { commands } from '../../commands/index.js';
import dotenv from 'dotenv';
import { createApp, loadLibrary, type App, type Library } from '../app.js';
import { parseConfig } from '../config.js';
import { CorpusError, formatProblem } from '../corpus/load.js';
import type { Corpus } from '../corpus/types.js';
import { Dispatcher } from '../interactions/dispatch.js';
import type { ButtonRequest, Command, CommandRequest, Reply } from '../interactions/types.js';
import type { MessagePayload } from '../message/payload.js';
import type { Poster } from '../daily/ports.js';
import { DailyService } from '../daily/service.js';
import { SqliteDailyStore } from '../daily/sqlite-store.js';
import { openDatabase } from '../db/database.js';
import { QuizService } from '../quiz/service.js';
import { SqliteQuizStore } from '../quiz/sqlite-store.js';
import { dailyPostMessage } from '../render/daily.js';
import { dailyQuizMessage } from '../render/quiz.js';
import { notice } from '../message/payload.js';
import { ansi, buttonsOf, formatPayload, plain, type Style } from './format.js';
import { parseLine } from './parse.js';
import { isMain } from '../paths.js';
import { LANGUAGES, type Language } from '../i18n/index.js';

/** The console speaks as one local user in one local "server", with full permissions. */
export const CONSOLE_USER = '100000000000000001';
export const CONSOLE_GUILD = '100000000000000002';
export const CONSOLE_CHANNEL = '100000000000000003';
const ALL_PERMISSIONS = (1n << 53n) - 1n;

export class ConsoleSession {
  private last: MessagePayload | null = null;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly clock: () => Date = () => new Date(),
    /** The language the local user's Discord would be set to (`--lang`). */
    private readonly language: Language = 'en',
  ) {}

  /** Runs one line: a /command, or a button word (next, cite…) for the last message. */
  async run(line: string): Promise<MessagePayload> {
    const text = line.trim();
    if (!text.startsWith('/')) return this.press(text);
    const parsed = parseLine(text, this.dispatcher.commands, { guildId: CONSOLE_GUILD });
    if (!parsed.ok) return notice(parsed.error);
    const request: CommandRequest = {
      ...this.caller(),
      commandName: parsed.line.commandName,
      subcommand: parsed.line.subcommand,
      options: parsed.line.options,
      now: this.clock(),
    };
    return await this.keep(await this.dispatcher.command(request));
  }

  private async press(word: string): Promise<MessagePayload> {
    const buttons = this.last ? buttonsOf(this.last) : [];
    const w = word.toLowerCase();
    const target = buttons.find((b) => b.word === w || (w === 'prev' && b.word === 'previous'));
    if (!target) {
      const usable = buttons.filter((b) => !b.disabled).map((b) => b.word);
      return notice(usable.length ? `Type a command (/quote nep) or one of: ${usable.join(', ')}` : 'Type a command, e.g. /quote nep, /source 8, /themes, /about');
    }
    if (target.disabled) return notice(`The ${target.label.trim()} button is disabled here.`);
    const request: ButtonRequest = { ...this.caller(), customId: target.customId, messageId: null, messageOwnerId: CONSOLE_USER, now: this.clock() };
    return await this.keep(await this.dispatcher.button(request));
  }

  /** Remembers the message whose buttons the next word may press; an update replaces it. */
  private async keep(reply: Reply): Promise<MessagePayload> {
    if (reply.type === 'update' || (reply.payload.components?.length ?? 0) > 0) this.last = reply.payload;
    await reply.sent?.(null);
    // An update with a private word (a quiz answer's acknowledgement): the word is what the presser reads.
    return reply.type === 'update' && reply.followUp ? reply.followUp : reply.payload;
  }

  private caller() {
    return { userId: CONSOLE_USER, guildId: CONSOLE_GUILD, channelId: CONSOLE_CHANNEL, memberPermissions: ALL_PERMISSIONS, language: this.language };
  }
}

/** Offline, a "post" is printed where Discord would show it. */
function consolePoster(corpus: Corpus): Poster {
  let n = 0;
  return {
    async post(job, options) {
      const quote = corpus.byId.get(job.quoteId);
      if (!quote) return { error: `quote ${job.quoteId} is not in the corpus`, retryable: false };
      const payload = options?.quiz
        ? dailyQuizMessage(corpus, options.quiz.quiz, options.quiz.tally, { roleId: job.roleId })
        : dailyPostMessage(corpus, quote, { localDate: job.localDate, roleId: options?.test ? null : job.roleId, test: options?.test === true, language: job.language });
      process.stderr.write(`\n(posted to channel ${job.channelId})\n${formatPayload(payload)}\n\n`);
      n += 1;
      return { messageId: `console-${n}` };
    },
  };
}

async function interactive(session: ConsoleSession, app: App, style: Style): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'hidden-voices> ' });
  console.log(`Hidden Voices console — ${app.corpus.quotes.length} quotations loaded. Try /quote nep, /source 8, /themes, /about. Ctrl+D or "quit" leaves.`);
  rl.prompt();
  for await (const line of rl) {
    const t = line.trim();
    if (t === 'quit' || t === 'exit') break;
    if (t) {
      try {
        console.log(formatPayload(await session.run(t), style));
      } catch (error) {
        console.log(formatPayload(notice('Something went wrong answering that. It has been reported.'), style));
        console.error(error);
      }
    }
    rl.prompt();
  }
  rl.close();
}

/** JSON Lines: exactly one payload per input line, blank lines and `quit` included, so output lines up with input. */
async function jsonLines(session: ConsoleSession): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const t = line.trim().toLowerCase();
    if (t === 'quit' || t === 'exit') {
      process.stdout.write(`${JSON.stringify(notice('Bye: the console stops here, and reads no further lines.'))}\n`);
      break;
    }
    let payload: MessagePayload;
    try {
      payload = await session.run(line);
    } catch (error) {
      payload = notice('Something went wrong answering that. It has been reported.');
      console.error(error);
    }
    process.stdout.write(`${JSON.stringify(payload)}\n`);
  }
  rl.close();
}

/** `--help`: how to run it, and the commands with their options as the console writes them. */
export function usage(list: readonly Command[] = commands): string {
  const optionsOf = (options: readonly APIApplicationCommandOption[] | undefined): string =>
    (options ?? []).map((o) => ('required' in o && o.required ? ` ${o.name}:…` : ` [${o.name}:…]`)).join('');
  const lines = list.flatMap((c) => {
    const subs = (c.data.options ?? []).filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
    if (subs.length === 0) return [`  /${c.data.name}${optionsOf(c.data.options)}  ${c.data.description}`];
    return subs.map((s) => `  /${c.data.name} ${s.name}${optionsOf('options' in s ? s.options : undefined)}  ${s.description}`);
  });
  return [
    'Hidden Voices console: the bot\'s own commands, offline.',
    '',
    'Usage:',
    '  npm run console                            interactive; after a quote type next, previous, cite or context; quit leaves',
    '  npm run console -- "/quote nep"            one command, shown as a reader sees it in Discord',
    '  npm run -s console -- --json "/quote nep"  the exact payload the bot would send to Discord, as JSON',
    '  npm run -s console -- --json < lines.txt   one JSON line per input line (JSON Lines); quit ends the input',
    '  npm run console -- --data DIR …            another corpus folder (default: DATA_DIR, else data/)',
    '  npm run console -- --lang ru "/quote nep"  answer as to a user whose Discord is in that language (en, ru, uk)',
    '  npm run console -- --help                  this help',
    '',
    'Commands (options are written name:value; quote a value with spaces, name:"two words"; free text fills the first text option):',
    ...lines,
  ].join('\n');
}

interface Cli {
  readonly json: boolean;
  readonly help: boolean;
  readonly dataDir: string | undefined;
  readonly language: Language;
  readonly rest: readonly string[];
}

/** The console's own flags; anything else starting with -- is refused rather than run as a command. */
function parseArgs(argv: readonly string[]): Cli | { error: string } {
  let json = false;
  let help = false;
  let dataDir: string | undefined;
  let language: Language = 'en';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--data' || a.startsWith('--data=')) {
      const dir = a === '--data' ? argv[(i += 1)] : a.slice('--data='.length);
      if (!dir) return { error: '--data needs a folder: --data DIR' };
      dataDir = dir;
    } else if (a === '--lang' || a.startsWith('--lang=')) {
      const code = a === '--lang' ? argv[(i += 1)] : a.slice('--lang='.length);
      const known = LANGUAGES.find((l) => l === code);
      if (!known) return { error: `--lang needs one of ${LANGUAGES.join(', ')}: --lang ru` };
      language = known;
    } else if (a.startsWith('--')) return { error: `Unknown option ${a}. The options are --json, --data DIR, --lang LANGUAGE and --help.` };
    else rest.push(a);
  }
  return { json, help, dataDir, language, rest };
}

/** `… | head -1` closes the pipe early: that is the reader being done, not an error. */
function quietOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
}

export async function main(argv: readonly string[]): Promise<number> {
  const cli = parseArgs(argv);
  if ('error' in cli) {
    console.error(`${cli.error} Run: npm run console -- --help`);
    return 2;
  }
  if (cli.help) {
    console.log(usage());
    return 0;
  }
  if (!process.stdout.listeners('error').includes(quietOnClosedPipe)) process.stdout.on('error', quietOnClosedPipe);
  // --data wins; otherwise DATA_DIR (environment or .env), as the bot reads it.
  dotenv.config({ quiet: true });
  const dataDir = cli.dataDir ?? parseConfig(process.env).dataDir;
  let library: Library;
  try {
    library = loadLibrary(dataDir);
  } catch (error) {
    if (error instanceof CorpusError) {
      console.error(`The corpus is invalid, so the console will not start (${error.problems.length} problem(s)):`);
      for (const p of error.problems) console.error(`  ${formatProblem(p)}`);
      return 1;
    }
    throw error;
  }
  // The console keeps its daily settings in memory: it is for trying things, not for running a server.
  const db = openDatabase(':memory:');
  const quizzes = new SqliteQuizStore(db);
  const app = createApp({ library, daily: new DailyService(library.corpus, new SqliteDailyStore(db), consolePoster(library.corpus), quizzes), quiz: new QuizService(library.corpus, quizzes) });
  const session = new ConsoleSession(new Dispatcher(commands, app), undefined, cli.language);
  const { json, rest } = cli;
  if (json) {
    if (rest.length > 0) process.stdout.write(`${JSON.stringify(await session.run(rest.join(' ')), null, 2)}\n`);
    else await jsonLines(session);
    return 0;
  }
  if (rest.length > 0) {
    console.log(formatPayload(await session.run(rest.join(' ')), process.stdout.isTTY ? ansi : plain));
    return 0;
  }
  await interactive(session, app, process.stdout.isTTY ? ansi : plain);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
