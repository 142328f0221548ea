import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applicationIdFromToken, ConfigError, parseConfig, tokenAdvice, tokenProblem } from '../src/config.js';

const TOKEN = `${Buffer.from('1180000000000000001').toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;

test('defaults, frozen', () => {
  const c = parseConfig({});
  assert.equal(c.token, undefined);
  assert.equal(c.apiBase, 'https://discord.com/api');
  assert.equal(c.shards, 1);
  assert.match(c.databasePath, /var\/hidden-voices\.db$/);
  assert.ok(Object.isFrozen(c));
});

test('blank values count as unset; "Bot " before a token is dropped; :memory: stays as it is', () => {
  const c = parseConfig({ DISCORD_TOKEN: `Bot ${TOKEN}`, DISCORD_GUILD_ID: '  ', DATABASE_PATH: ':memory:', DISCORD_API_BASE: 'http://127.0.0.1:9/api/' });
  assert.equal(c.token, TOKEN);
  assert.equal(c.guildId, undefined);
  assert.equal(c.databasePath, ':memory:');
  assert.equal(c.apiBase, 'http://127.0.0.1:9/api');
});

test('invalid values: one error naming each variable, never echoing a value', () => {
  assert.throws(
    () => parseConfig({ SHARDS: 'many', LOG_LEVEL: 'loud', DISCORD_GUILD_ID: 'abc', DISCORD_TOKEN: TOKEN }),
    (err: unknown) => err instanceof ConfigError && /SHARDS/.test(err.message) && /LOG_LEVEL/.test(err.message) && /DISCORD_GUILD_ID/.test(err.message) && !err.message.includes(TOKEN),
  );
});

test('token problems and the advice for each, which never includes the token', () => {
  assert.equal(tokenProblem(undefined), 'missing');
  assert.equal(tokenProblem('abc'), 'malformed');
  assert.equal(tokenProblem(TOKEN), null);
  assert.equal(applicationIdFromToken(TOKEN), '1180000000000000001');
  for (const p of ['missing', 'malformed', 'refused'] as const) assert.match(tokenAdvice(p), /\.env\.example.*npm run console/);
});
