import assert from 'node:assert/strict';
import { test } from 'node:test';
import daily from '../../commands/daily.js';
import quote from '../../commands/quote.js';
import source from '../../commands/source.js';
import { readArguments, type ArgumentsOf } from '../../src/interactions/arguments.js';

const channel = { kind: 'channel', id: '3', name: 'general', type: 0, botPermissions: null } as const;

test('options are typed from the definition: required present, others optional, subcommands tagged', () => {
  const q: ArgumentsOf<typeof quote.data> = { subcommand: null, options: { query: 'nep', note: 2 } };
  const s: ArgumentsOf<typeof source.data> = { subcommand: null, options: { n: 8 } };
  const d: ArgumentsOf<typeof daily.data> = { subcommand: 'set', options: { channel, time: '09:00', timezone: 'UTC' } };
  const off: ArgumentsOf<typeof daily.data> = { subcommand: 'off', options: {} };
  // @ts-expect-error n is required
  const missing: ArgumentsOf<typeof source.data> = { subcommand: null, options: {} };
  // @ts-expect-error note is a number
  const wrong: ArgumentsOf<typeof quote.data> = { subcommand: null, options: { note: '2' } };
  // @ts-expect-error set needs its channel
  const noChannel: ArgumentsOf<typeof daily.data> = { subcommand: 'set', options: { time: '09:00', timezone: 'UTC' } };
  // A subcommand in a group is named as requests name it, group first.
  const add: ArgumentsOf<typeof daily.data> = { subcommand: 'syllabus add', options: { channel, theme: 'nep', from: '2026-09-01' } };
  // @ts-expect-error add needs its theme
  const noTheme: ArgumentsOf<typeof daily.data> = { subcommand: 'syllabus add', options: { channel, from: '2026-09-01' } };
  // @ts-expect-error the group alone is no subcommand
  const group: ArgumentsOf<typeof daily.data> = { subcommand: 'syllabus', options: {} };
  assert.ok(q && s && d && off && missing && wrong && noChannel && add && noTheme && group);
});

test('readArguments returns the declared options and nothing else', () => {
  const read = readArguments(quote.data, { subcommand: null, options: { query: 'nep', note: 3, stray: 'x' } });
  assert.deepEqual(read, { ok: true, args: { subcommand: null, options: { query: 'nep', note: 3 } } });
  const set = readArguments(daily.data, { subcommand: 'set', options: { channel, time: '09:00', timezone: 'UTC', thread: true } });
  assert.ok(set.ok && set.args.subcommand === 'set' && set.args.options.channel.id === '3' && set.args.options.thread === true);
  const add = readArguments(daily.data, { subcommand: 'syllabus add', options: { channel, theme: 'nep', from: '2026-09-01', until: 'x' } });
  assert.deepEqual(add, { ok: true, args: { subcommand: 'syllabus add', options: { channel, theme: 'nep', from: '2026-09-01' } } });
  assert.deepEqual(readArguments(daily.data, { subcommand: 'syllabus add', options: { channel, from: '2026-09-01' } }), { ok: false, error: 'The option `theme` is required.' });
});

test('readArguments refuses a missing required option, a value of the wrong kind and an unknown subcommand', () => {
  assert.deepEqual(readArguments(source.data, { subcommand: null, options: {} }), { ok: false, error: 'The option `n` is required.' });
  assert.deepEqual(readArguments(quote.data, { subcommand: null, options: { note: 2.5 } }), { ok: false, error: 'The option `note` does not take that kind of value.' });
  assert.deepEqual(readArguments(daily.data, { subcommand: 'set', options: { channel: 'general', time: '09:00', timezone: 'UTC' } }), {
    ok: false,
    error: 'The option `channel` does not take that kind of value.',
  });
  const none = readArguments(daily.data, { subcommand: null, options: {} });
  assert.equal(none.ok, false);
  assert.match(none.ok ? '' : none.error, /^Use \/daily with one of: `set`, `status`/);
});
