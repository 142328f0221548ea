/**
 * SIGHUP to shard processes: never to one still starting (its handler is not
 * installed yet and the signal would end it), which gets the reload once it
 * reports ready instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HangupRelay } from '../../src/shard/hangup.js';

/** A shard's process as the relay sees it, recording the signals it gets. */
function target() {
  const signals: string[] = [];
  const proc = {
    exitCode: null as number | null,
    signalCode: null as NodeJS.Signals | null,
    kill(signal?: NodeJS.Signals | number) {
      signals.push(String(signal));
      return true;
    },
  };
  return { process: proc, signals };
}

test('a reload signals the ready processes now and a starting one only once it is ready, once', () => {
  const relay = new HangupRelay<ReturnType<typeof target>>();
  const ready = target();
  const starting = target();
  for (const t of [ready, starting]) relay.spawned(t);
  relay.readied(ready);
  assert.deepEqual(relay.reload([ready, starting]), { told: 1, waiting: 1 });
  assert.deepEqual(ready.signals, ['SIGHUP']);
  assert.deepEqual(starting.signals, [], 'no SIGHUP before its handler is installed');
  relay.readied(starting);
  assert.deepEqual(starting.signals, ['SIGHUP'], 'the reload it missed, once ready');
  relay.readied(starting); // a cluster's second shard, or a reconnect, reports ready again
  assert.deepEqual(starting.signals, ['SIGHUP'], 'not twice');
});

test('a respawned process is not signalled until ready, and a reload pending for its dead predecessor is dropped', () => {
  const relay = new HangupRelay<ReturnType<typeof target>>();
  const shard = target();
  relay.spawned(shard);
  relay.readied(shard);
  relay.died(shard);
  relay.spawned(shard); // discord.js respawns it: the same shard, a new process
  assert.deepEqual(relay.reload([shard]), { told: 0, waiting: 1 });
  assert.deepEqual(shard.signals, []);
  relay.died(shard); // died while starting; its successor reads the new files itself
  relay.spawned(shard);
  relay.readied(shard);
  assert.deepEqual(shard.signals, []);
});

test('a dead process is neither signalled nor waited for', () => {
  const relay = new HangupRelay<ReturnType<typeof target>>();
  const shard = target();
  relay.spawned(shard);
  relay.readied(shard);
  shard.process.exitCode = 1;
  assert.deepEqual(relay.reload([shard]), { told: 0, waiting: 0 });
  assert.deepEqual(shard.signals, []);
});
