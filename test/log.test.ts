import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, redact } from '../src/log.js';

const BOT_TOKEN = `${Buffer.from('1180000000000000001').toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTE4MDAwMDAwMDAwMDAwMDAwMTpzZWNyZXQ';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => void lines.push(l) });
  return { lines, log };
}

test('redact: bot tokens, webhook and callback tokens', () => {
  assert.equal(redact(`token ${BOT_TOKEN} here`), 'token [redacted] here');
  assert.equal(redact(`PATCH /api/v10/webhooks/1180000000000000001/${INTERACTION_TOKEN}/messages/@original`), 'PATCH /api/v10/webhooks/1180000000000000001/[redacted]/messages/@original');
  assert.equal(redact(`POST /api/v10/interactions/1180000000000000009/${INTERACTION_TOKEN}/callback`), 'POST /api/v10/interactions/1180000000000000009/[redacted]/callback');
});

test('no token reaches a log line: in messages, objects, or a Discord error’s url and stack', () => {
  const { lines, log } = capture();
  const err = Object.assign(new Error(`Unknown Webhook at https://discord.com/api/v10/webhooks/1180000000000000001/${INTERACTION_TOKEN}/messages/%40original`), {
    url: `https://discord.com/api/v10/interactions/1180000000000000009/${INTERACTION_TOKEN}/callback`,
    requestBody: { json: { token: INTERACTION_TOKEN } },
  });
  log.error({ err, token: BOT_TOKEN, config: { token: BOT_TOKEN } }, `failed with ${BOT_TOKEN}`);
  log.info({ detail: { nested: [`Bot ${BOT_TOKEN}`] } }, 'nested');
  const out = lines.join('\n');
  assert.ok(!out.includes(BOT_TOKEN), out);
  assert.ok(!out.includes(INTERACTION_TOKEN), out);
  assert.match(out, /Unknown Webhook/);
  assert.equal(lines.length, 2);
});
