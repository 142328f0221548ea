/**
 * End to end: the real bot (discord.js Client, corpus, SQLite) against the
 * local Discord stand-in, over loopback. What a Discord user would see.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { ApplicationCommandOptionType, ApplicationCommandType, GatewayIntentBits, MessageFlags, type APIMessage, type APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { runDeploy } from '../../src/deploy-commands.js';
import type { Command } from '../../src/interactions/types.js';
import { StartError, startBot } from '../../src/main.js';
import { commands } from '../../commands/index.js';
import { StandIn } from '../../support/discord/index.js';
import { BOT_ID, build, TOKEN } from '../../support/bot.js';

const S = ApplicationCommandOptionType.String;

function buttons(message: APIMessage | null | undefined): APIButtonComponentWithCustomId[] {
  const rows = (message?.components ?? []) as unknown as { components?: unknown[] }[];
  return rows.flatMap((row) => row.components ?? []) as APIButtonComponentWithCustomId[];
}

function button(message: APIMessage | null | undefined, label: string): APIButtonComponentWithCustomId {
  const b = buttons(message).find((x) => x.label?.includes(label));
  assert.ok(b, `no ${label} button on the message`);
  return b;
}

test('logs in with only the Guilds intent, reaches READY, and sets a presence', async (t) => {
  const { bot, standIn } = await build(t);
  assert.ok(bot.client.isReady());
  assert.equal(standIn.identifies.length, 1);
  assert.equal(standIn.identifies[0]?.intents, GatewayIntentBits.Guilds);
  assert.ok(bot.client.guilds.cache.has(standIn.guildId));
  assert.equal(standIn.unknownRequests.length, 0, JSON.stringify(standIn.unknownRequests.map((r) => `${r.method} ${r.path}`)));
});

test('/quote nep: an attributed, cited embed with paging, Cite and Context; nothing pings', async (t) => {
  const { standIn } = await build(t);
  const user = { id: '1180000000000000101', username: 'student' };
  const handle = await standIn.sendCommand({ name: 'quote', user, options: [{ name: 'query', type: S, value: 'nep' }] });
  const first = await handle.response();
  assert.equal(first.ephemeral, false);
  const embed = first.message?.embeds[0];
  assert.ok(embed?.description?.includes('— '), 'speaker line');
  assert.match(embed?.footer?.text ?? '', /^lr-\d{3} · quoted in Phil Gasper.* · 1 of \d+ for “nep”$/);
  assert.deepEqual(buttons(first.message).map((b) => [b.label, Boolean(b.disabled)]), [['◀ Previous', true], ['Next ▶', false], ['Cite', false], ['Context', false]]);
  const sent = standIn.callbacks.find((c) => c.interactionId === handle.id)?.data as { allowed_mentions?: unknown };
  assert.deepEqual(sent.allowed_mentions, { parse: [], roles: [], users: [] });

  // Next, by the same user: the message is updated in place.
  const next = await (await standIn.sendButton({ customId: button(first.message, 'Next').custom_id, message: first.message as APIMessage, user })).response();
  assert.equal(next.callbackType, 7);
  assert.match(next.message?.embeds[0]?.footer?.text ?? '', / · 2 of \d+ for “nep”$/);
  // Previous goes back to the first.
  const back = await (await standIn.sendButton({ customId: button(next.message, 'Previous').custom_id, message: next.message as APIMessage, user })).response();
  assert.equal(back.message?.embeds[0]?.description, embed?.description);

  // Someone else may not turn the pages of this search.
  const other = await (await standIn.sendButton({ customId: button(first.message, 'Next').custom_id, message: first.message as APIMessage })).response();
  assert.equal(other.ephemeral, true);
  assert.match(other.message?.content ?? '', /Only the person who searched/);

  // Cite and Context answer whoever asks, privately.
  const cite = await (await standIn.sendButton({ customId: button(first.message, 'Cite').custom_id, message: first.message as APIMessage })).response();
  assert.equal(cite.ephemeral, true);
  assert.match(cite.message?.embeds[0]?.description ?? '', /quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https:\/\/newpol\.org\/lenins-revenge-early-soviet-hidden-voices\/ \(see its note 2\)\./);
  const context = await (await standIn.sendButton({ customId: button(first.message, 'Context').custom_id, message: first.message as APIMessage })).response();
  assert.equal(context.ephemeral, true);
  assert.match(context.message?.embeds[0]?.description ?? '', /\*\*/);
});

test('autocomplete offers terms, themes and speakers within Discord’s limits', async (t) => {
  const { standIn } = await build(t);
  const r = await (await standIn.sendAutocomplete({ name: 'quote', options: [{ name: 'query', type: S, value: 'col', focused: true }] })).response();
  assert.equal(r.callbackType, 8);
  const names = (r.choices ?? []).map((c) => c.name);
  assert.ok(names.some((n) => n.startsWith('collective')), names.join(', '));
  assert.ok((r.choices ?? []).length <= 25);
  const tz = await (
    await standIn.sendAutocomplete({
      name: 'daily',
      options: [{ name: 'set', type: ApplicationCommandOptionType.Subcommand, options: [{ name: 'timezone', type: S, value: 'berl', focused: true }] }],
    })
  ).response();
  assert.ok((tz.choices ?? []).some((c) => c.value === 'Europe/Berlin'));
});

test('/source 8 prints the note in full; /source 99 is a polite private answer', async (t) => {
  const { standIn } = await build(t);
  const eight = await (await standIn.sendCommand({ name: 'source', options: [{ name: 'n', type: ApplicationCommandOptionType.Integer, value: 8 }] })).response();
  assert.equal(eight.ephemeral, false);
  assert.equal(eight.message?.embeds[0]?.title, 'Note 8');
  assert.match(eight.message?.embeds[0]?.description ?? '', /Sovershenno Sekretno: Lubyanka Stalinu/);
  const bad = await (await standIn.sendCommand({ name: 'source', options: [{ name: 'n', type: ApplicationCommandOptionType.Integer, value: 99 }] })).response();
  assert.equal(bad.ephemeral, true);
  assert.match(bad.message?.content ?? '', /no note 99 — the notes run from 1 to 10/);
});

test('@everyone in a query is shown defused and pings no one', async (t) => {
  const { standIn } = await build(t);
  const handle = await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: S, value: '@everyone <@&1> zzzz' }] });
  const r = await handle.response();
  // What people see: content and embeds (custom ids are never shown, and never ping).
  const visible = JSON.stringify({ content: r.message?.content, embeds: r.message?.embeds });
  assert.doesNotMatch(visible, /@everyone|<@&1>/);
  const sent = standIn.callbacks.find((c) => c.interactionId === handle.id)?.data as { allowed_mentions?: { parse?: unknown[] } };
  assert.deepEqual(sent.allowed_mentions?.parse, []);
});

test('a handler that throws gets exactly one polite private reply, and is logged with its id', async (t) => {
  const boom: Command = {
    data: { name: 'boom', description: 'throws', type: ApplicationCommandType.ChatInput },
    execute: () => {
      throw new Error('kaboom');
    },
  };
  const { standIn, logs } = await build(t, { commands: [...commands, boom] });
  const handle = await standIn.sendCommand({ name: 'boom' });
  const r = await handle.response();
  assert.equal(r.ephemeral, true);
  assert.match(r.message?.content ?? '', /^Sorry — something went wrong/);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(handle.calls.length, 1, 'one answer, not two');
  const logged = logs.find((l) => l.msg === 'interaction failed');
  assert.equal(logged?.interaction, handle.id);
  assert.equal(logged?.command, 'boom');
  // And the bot goes on answering.
  assert.equal((await (await standIn.sendCommand({ name: 'themes' })).response()).message?.embeds[0]?.title, 'Themes');
});

test('a slow handler is deferred within Discord’s 3 seconds, then answered', async (t) => {
  const slow: Command = {
    data: { name: 'slow', description: 'slow', type: ApplicationCommandType.ChatInput },
    execute: async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { type: 'message', payload: { content: 'done', allowed_mentions: { parse: [] } } };
    },
  };
  const { standIn } = await build(t, { commands: [...commands, slow], deferAfterMs: 100 });
  const handle = await standIn.sendCommand({ name: 'slow' });
  const r = await handle.response();
  assert.equal(handle.callback?.type, 5, 'deferred first');
  assert.equal(r.via, 'edit');
  assert.equal(r.message?.content, 'done');
});

test('deferred in public but answered in private: the answer stays private', async (t) => {
  const slowRefusal: Command = {
    data: { name: 'slowrefusal', description: 'slow, then private', type: ApplicationCommandType.ChatInput },
    execute: async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { type: 'message', payload: { content: 'only for you', flags: 64, allowed_mentions: { parse: [] } } };
    },
  };
  const { standIn } = await build(t, { commands: [...commands, slowRefusal], deferAfterMs: 100 });
  const handle = await standIn.sendCommand({ name: 'slowrefusal' });
  const answer = await handle.waitFor(() => handle.followUps[0], 5000, 'the private follow-up');
  assert.equal(answer.content, 'only for you');
  assert.equal((answer.flags ?? 0) & 64, 64, 'ephemeral');
  assert.ok(standIn.webhookCalls.some((c) => c.interactionId === handle.id && c.method === 'DELETE'), 'the public placeholder was deleted');
});

test('a member without Manage Server cannot change the daily post', async (t) => {
  const { standIn, bot } = await build(t);
  const r = await (
    await standIn.sendCommand({
      name: 'daily',
      memberPermissions: 0n,
      options: [
        {
          name: 'set',
          type: ApplicationCommandOptionType.Subcommand,
          options: [
            { name: 'channel', type: ApplicationCommandOptionType.Channel, value: standIn.channelId },
            { name: 'time', type: S, value: '08:00' },
            { name: 'timezone', type: S, value: 'UTC' },
          ],
        },
      ],
    })
  ).response();
  assert.equal(r.ephemeral, true);
  assert.match(r.message?.content ?? '', /Manage Server/);
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0] ?? null, null);
});

test('op 7 reconnect: the session resumes (no new IDENTIFY) and the bot still answers', async (t) => {
  const { standIn } = await build(t);
  const resumes = await standIn.requestReconnect();
  assert.equal(resumes.length, 1);
  assert.equal(standIn.identifies.length, 1);
  const r = await (await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: S, value: 'bandit' }] })).response();
  assert.match(r.message?.embeds[0]?.description ?? '', /bandit/);
});

test('deploy-commands registers every command with one bulk overwrite; twice changes nothing', async (t) => {
  const { standIn, env } = await build(t);
  const lines: string[] = [];
  assert.equal(await runDeploy({ ...env, DISCORD_GUILD_ID: standIn.guildId }, (l) => lines.push(l)), 0);
  const first = standIn.commands(standIn.guildId) as { id: string; name: string; default_member_permissions?: string | null; contexts?: number[] }[];
  assert.deepEqual(first.map((c) => c.name).sort(), commands.map((c) => c.data.name).sort());
  assert.equal(await runDeploy({ ...env, DISCORD_GUILD_ID: standIn.guildId }, (l) => lines.push(l)), 0);
  const second = standIn.commands(standIn.guildId) as { id: string; name: string }[];
  assert.deepEqual(second.map((c) => [c.name, c.id]), first.map((c) => [c.name, c.id]));
  const puts = standIn.requests.filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 2, 'one bulk PUT per run');
  const daily = first.find((c) => c.name === 'daily');
  assert.equal(daily?.default_member_permissions, '32');
  assert.deepEqual(daily?.contexts, [0]);
  assert.match(lines[0] ?? '', new RegExp(`Registered ${commands.length} commands in server`));
  // Globally when no guild is set.
  assert.equal(await runDeploy(env, () => undefined), 0);
  assert.equal(standIn.commands().length, commands.length);
});

test('a token Discord refuses: one clear line, no token in it', async (t) => {
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID } });
  t.after(() => standIn.close());
  const other = `${Buffer.from(BOT_ID).toString('base64url')}.AbCdEf.${'y'.repeat(27)}`;
  await assert.rejects(
    startBot({ DISCORD_TOKEN: other, DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent' }),
    (err: unknown) => err instanceof StartError && /Discord refused DISCORD_TOKEN/.test(err.message) && !err.message.includes(other) && !err.message.includes('yyyy'),
  );
});

test('npm start as a real process (compiled, as in production): answers, reloads on SIGHUP, never prints the token, exits 0 on SIGTERM', async (t) => {
  const { spawnSync } = await import('node:child_process');
  // Emit only: npm test type-checks everything first, and the same sources compile to the same JavaScript checked or
  // not (isolatedModules); checking again here would cost a second full tsc run. Not incremental, so dist/.tsbuildinfo
  // (what `npm run build` has checked) and the build stamp stay as they were: `npm start` still builds and checks for itself.
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noCheck', '--incremental', 'false'], {
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID } });
  t.after(() => standIn.close());
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js'], {
    env: { ...process.env, DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: ':memory:', LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 20_000;
  while (!output.includes('"msg":"ready"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(output, /"msg":"ready"/, output);
  const r = await (await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: S, value: 'sardines' }] })).response();
  assert.match(r.message?.embeds[0]?.description ?? '', /sardines/);
  // SIGHUP (systemctl reload): the compiled process reloads data/ and goes on answering.
  child.kill('SIGHUP');
  const reloaded = Date.now() + 20_000;
  while (!output.includes('"msg":"reload: serving the new corpus"') && Date.now() < reloaded) await new Promise((r) => setTimeout(r, 50));
  assert.match(output, /"msg":"reload: serving the new corpus"/, output);
  const again = await (await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: S, value: 'sardines' }] })).response();
  assert.equal(again.message?.embeds[0]?.description, r.message?.embeds[0]?.description);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  assert.ok(!output.includes(TOKEN), 'the token never appears in output');
  assert.match(output, /"command":"quote".*"outcome":"ok".*"msg":"interaction"/);
});

test('no token: one line pointing to .env.example and the console, exit 1, no stack trace', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, DISCORD_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(output, /No DISCORD_TOKEN is set\. Copy \.env\.example to \.env.*npm run console/);
  assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  assert.equal(MessageFlags.Ephemeral, 64);
});

test('a broken corpus: the bot and the console refuse to start, with the same messages', async (t) => {
  const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-broken-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync('data', dir, { recursive: true });
  const quotes = path.join(dir, 'sources/lenins-revenge/quotes.json');
  writeFileSync(quotes, readFileSync(quotes, 'utf8').replace('nobody met hungry', 'nobody went hungry'));
  await assert.rejects(
    startBot({ DISCORD_TOKEN: TOKEN, DATA_DIR: dir, DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent' }),
    (err: unknown) => err instanceof StartError && /corpus is invalid/.test(err.message) && /\[lr-102\]: part 1 is not in the source as written/.test(err.message),
  );
  const consoleRun = spawnSync(process.execPath, ['--import', 'tsx', 'src/console/main.ts', '--data', dir, '/quote nep'], { encoding: 'utf8' });
  assert.equal(consoleRun.status, 1);
  assert.match(consoleRun.stderr, /\[lr-102\]: part 1 is not in the source as written/);
});
