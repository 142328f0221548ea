/**
 * Which shard processes may be sent SIGHUP (reload `data/`). A process still
 * loading its modules has not yet installed its SIGHUP handler (src/main.ts
 * does so before the bot starts, but after the imports), and until then the
 * signal's default action ends it: a shard killed by a reload, counted toward
 * the crash limit. So only a process that has reported a ready shard since it
 * was spawned is signalled; one still starting is remembered and signalled
 * once it reports ready, in case it read `data/` before the new files came.
 * A process spawned after the reload reads the new files itself.
 */
import type { ChildProcess } from 'node:child_process';

/** A shard (or cluster) of the manager, as far as the relay needs it: its current process. */
export interface HangupTarget {
  readonly process: Pick<ChildProcess, 'kill' | 'exitCode' | 'signalCode'> | null;
}

export interface HangupOutcome {
  /** Processes signalled now. */
  readonly told: number;
  /** Processes still starting: signalled when they report ready. */
  readonly waiting: number;
}

export class HangupRelay<T extends HangupTarget> {
  private readonly ready = new Set<T>();
  private readonly pending = new Set<T>();

  /** A new process for `target` (first start or respawn): not ready, and it reads the current files itself. */
  spawned(target: T): void {
    this.ready.delete(target);
    this.pending.delete(target);
  }

  /** `target`'s process reported a ready shard: its handler is installed. A reload it missed is sent now. */
  readied(target: T): void {
    this.ready.add(target);
    if (this.pending.delete(target) && isLive(target)) target.process?.kill('SIGHUP');
  }

  /** `target`'s process died: its successor starts over. */
  died(target: T): void {
    this.ready.delete(target);
    this.pending.delete(target);
  }

  /** A reload: SIGHUP to every live ready process; the live ones still starting get it once ready. */
  reload(targets: Iterable<T>): HangupOutcome {
    let told = 0;
    let waiting = 0;
    for (const target of targets) {
      if (!isLive(target)) continue;
      if (this.ready.has(target)) {
        target.process?.kill('SIGHUP');
        told += 1;
      } else {
        this.pending.add(target);
        waiting += 1;
      }
    }
    return { told, waiting };
  }
}

function isLive(target: HangupTarget): boolean {
  const proc = target.process;
  return proc !== null && proc.exitCode === null && proc.signalCode === null;
}
