/**
 * SIGHUP end to end: the real bot (discord.js client, SQLite file) against the
 * Discord stand-in, its DATA_DIR a copy of data/, and a real SIGHUP sent to
 * this process through the same handler `npm start` installs. A work added
 * with a broken quote is refused (each problem logged, nothing served from
 * it, answers go on); once fixed, a second SIGHUP makes it searchable in
 * /quote, its autocomplete and /source, while the essay keeps answering.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import pino from 'pino';
import { reloadOnHangup } from '../../src/main.js';
import { build } from '../../support/bot.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const S = ApplicationCommandOptionType.String;
const I = ApplicationCommandOptionType.Integer;

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGHUP: a broken new work changes nothing and the bot keeps answering; the fixed work becomes searchable', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-reload-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  fs.cpSync(path.join(ROOT, 'data'), dataDir, { recursive: true });
  const { bot, standIn, logs } = await build(t, { dataDir });
  const hangup = reloadOnHangup(pino({ enabled: false }));
  t.after(() => hangup.detach());
  hangup.attach(bot);

  const quote = async (options: { name: string; value: string }[]) =>
    (await (await standIn.sendCommand({ name: 'quote', options: options.map((o) => ({ ...o, type: S })) })).response()).message;
  const nepFirst = (await quote([{ name: 'query', value: 'nep' }]))?.embeds[0]?.description;
  assert.match(nepFirst ?? '', /\S/);
  const before = bot.app;
  const unknownWork = await quote([{ name: 'query', value: 'samovar' }, { name: 'work', value: 'reading-group' }]);
  assert.match(unknownWork?.content ?? '', /There is no work “reading-group”/);

  // A new work whose quote rg-003 has a word the handout does not say.
  const work = path.join(dataDir, 'sources', 'reading-group');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'second-source'), work, { recursive: true });
  const quotesFile = path.join(work, 'quotes.json');
  const good = fs.readFileSync(quotesFile, 'utf8');
  fs.writeFileSync(quotesFile, good.replace('keep your strength for the winter', 'keep your strength for the spring'));

  // The signal arrives while questions are in flight: every one is answered, from the one corpus it was asked of.
  const inFlight = Array.from({ length: 4 }, () => quote([{ name: 'query', value: 'nep' }]));
  process.kill(process.pid, 'SIGHUP');
  const refused = await until('the refused reload', () => logs.find((l) => l.msg === 'reload: the new corpus failed the check; still serving the previous one'));
  for (const answer of await Promise.all(inFlight)) assert.equal(answer?.embeds[0]?.description, nepFirst);
  const problems = logs.filter((l) => l.msg === 'reload: corpus problem');
  assert.equal(problems.length, refused.problems);
  assert.ok(problems.length >= 1);
  assert.ok(problems.every((p) => p.level === 50 && typeof p.file === 'string' && typeof p.reason === 'string'), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.id === 'rg-003' && String(p.file).includes('reading-group')), JSON.stringify(problems));
  assert.equal(bot.app, before, 'the served app is untouched');
  assert.match((await quote([{ name: 'query', value: 'samovar' }, { name: 'work', value: 'reading-group' }]))?.content ?? '', /There is no work/);
  assert.equal((await quote([{ name: 'query', value: 'nep' }]))?.embeds[0]?.description, nepFirst, 'the essay still answers');

  // Fixed: the next SIGHUP serves both works.
  fs.writeFileSync(quotesFile, good);
  process.kill(process.pid, 'SIGHUP');
  const served = await until('the new corpus served', () => logs.find((l) => l.msg === 'reload: serving the new corpus'));
  assert.equal(served.works, 2);
  assert.notEqual(bot.app, before);
  const found = await quote([{ name: 'query', value: 'samovar' }, { name: 'work', value: 'reading-group' }]);
  assert.match(found?.embeds[0]?.footer?.text ?? '', /^rg-001 · quoted in Test Fixture Reading Group/);
  assert.equal((await quote([{ name: 'query', value: 'nep' }, { name: 'work', value: 'lenins-revenge' }]))?.embeds[0]?.description, nepFirst);
  const works = await (await standIn.sendAutocomplete({ name: 'quote', options: [{ name: 'work', type: S, value: 'mill', focused: true }] })).response();
  assert.deepEqual(
    (works.choices ?? []).map((c) => c.value),
    ['reading-group'],
  );
  const note = await (
    await standIn.sendCommand({ name: 'source', options: [{ name: 'n', type: I, value: 2 }, { name: 'work', type: S, value: 'reading-group' }] })
  ).response();
  assert.match(note.message?.embeds[0]?.description ?? '', /shift-meeting minutes and a leaflet/);
  const voice = await (await standIn.sendCommand({ name: 'voice' })).response();
  assert.match(voice.message?.embeds[0]?.description ?? '', /\S/);
});
