/**
 * Quizzes close on time from what the database says, so a quiz opened before
 * a restart closes when its time comes; a deleted post closes the quiz
 * without it; a failed edit is retried when its claim lapses.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { loadLibrary } from "../../src/app.js";
import { openDatabase } from "../../src/db/database.js";
import type { MessagePayload } from "../../src/message/payload.js";
import { QuizCloser, type EditResult } from "../../src/quiz/closer.js";
import { QuizService } from "../../src/quiz/service.js";
import { CLOSE_LEASE_MS, MAX_CLOSE_ATTEMPTS } from "../../src/quiz/store.js";
import { SqliteQuizStore } from "../../src/quiz/sqlite-store.js";
import { closedQuizMessage } from "../../src/render/quiz.js";
import { mulberry32 as seeded } from "../../src/daily/rotation.js";

const { corpus } = loadLibrary();
const T0 = new Date("2026-03-10T12:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const quiet = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface Edit {
  channelId: string;
  messageId: string;
  payload: MessagePayload;
}

/** A bot process over the file: its store, its closer, its clock, and the edits it made. */
function process(t: TestContext, file: string, results: EditResult[] = []) {
  const db = openDatabase(file);
  t.after(() => db.close());
  const store = new SqliteQuizStore(db);
  const clock = { now: T0 };
  const edits: Edit[] = [];
  const closer = new QuizCloser({
    store,
    clock: () => clock.now,
    edit: async (channelId, messageId, payload) => {
      edits.push({ channelId, messageId, payload });
      return results.shift() ?? { ok: true };
    },
    render: (quiz, tally) => closedQuizMessage(corpus, quiz, tally),
    log: quiet,
  });
  return {
    db,
    store,
    service: new QuizService(corpus, store),
    closer,
    clock,
    edits,
  };
}

function tempFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hv-closer-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "bot.db");
}

describe("closing on time", () => {
  it("a quiz opened before a restart still takes answers after it, and closes on time once", async (t) => {
    const file = tempFile(t);
    const before = process(t, file);
    const quiz = await before.service.ask(
      {
        guildId: "g1",
        channelId: "c1",
        userId: "asker",
        mode: "speaker",
        minutes: 10,
        now: T0,
      },
      seeded(1),
    );
    assert.ok(quiz);
    await before.store.setMessageId(quiz.id, "m1");
    await before.service.answer(quiz.id, "u1", quiz.answer, at(2));
    before.db.close(); // the bot stops

    const after = process(t, file);
    assert.equal(
      (await after.service.answer(quiz.id, "u2", (quiz.answer + 1) % 4, at(5))).status,
      "counted",
    );
    after.clock.now = at(9.9);
    await after.closer.tick();
    assert.equal(after.edits.length, 0, "not before its time");
    after.clock.now = at(10);
    await after.closer.tick();
    await after.closer.tick();
    assert.equal(after.edits.length, 1, "closed once");
    const edit = after.edits[0];
    assert.equal(edit?.channelId, "c1");
    assert.equal(edit?.messageId, "m1");
    assert.match(
      edit?.payload.content ?? "",
      /closed\.\*\* It was \*\*.+\*\*\. 2 answers, 1 was right\./,
    );
    const labels = edit?.payload.components?.[1]?.components.map((c) =>
      "label" in c ? c.label : "",
    );
    assert.deepEqual(labels, ["Cite", "Context"]);
    assert.match(
      edit?.payload.embeds?.[0]?.description ?? "",
      new RegExp(
        `— ${corpus.byId.get(quiz.quoteId)?.speaker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
      ),
    );
    assert.equal((await after.store.get(quiz.id))?.state, "closed");
    assert.equal(
      (await after.service.answer(quiz.id, "u3", 0, at(11))).status,
      "closed",
    );
  });

  it("a quiz whose time passed while the bot was down closes at the first tick after start", async (t) => {
    const file = tempFile(t);
    const before = process(t, file);
    const quiz = await before.service.ask(
      {
        guildId: "g1",
        channelId: "c1",
        userId: "asker",
        mode: "source",
        minutes: 1,
        now: T0,
      },
      seeded(2),
    );
    assert.ok(quiz);
    await before.store.setMessageId(quiz.id, "m1");
    before.db.close();
    const after = process(t, file);
    after.clock.now = at(60);
    await after.closer.tick();
    assert.equal(after.edits.length, 1);
    assert.equal((await after.store.get(quiz.id))?.state, "closed");
  });

  it("a deleted post or channel closes the quiz without it, politely; a failed edit is retried, then given up", async (t) => {
    const file = tempFile(t);
    const p = process(t, file, [
      { ok: false, gone: true, error: "the quiz post was deleted" },
    ]);
    const gone = await p.service.ask(
      {
        guildId: "g1",
        channelId: "c1",
        userId: "a",
        mode: "speaker",
        minutes: 10,
        now: T0,
      },
      seeded(3),
    );
    assert.ok(gone);
    await p.store.setMessageId(gone.id, "m1");
    p.clock.now = at(10);
    await p.closer.tick();
    assert.equal((await p.store.get(gone.id))?.state, "gone");

    const failing = process(
      t,
      file,
      Array.from({ length: MAX_CLOSE_ATTEMPTS }, () => ({
        ok: false as const,
        gone: false,
        error: "Discord answered 503",
      })),
    );
    const flaky = await failing.service.ask(
      {
        guildId: "g1",
        channelId: "c1",
        userId: "a",
        mode: "speaker",
        minutes: 10,
        now: T0,
      },
      seeded(4),
    );
    assert.ok(flaky);
    await failing.store.setMessageId(flaky.id, "m2");
    failing.clock.now = at(10);
    await failing.closer.tick();
    assert.equal((await failing.store.get(flaky.id))?.state, "closing");
    await failing.closer.tick();
    assert.equal(failing.edits.length, 1, "not again before the claim lapses");
    for (let i = 1; i < MAX_CLOSE_ATTEMPTS; i++) {
      failing.clock.now = new Date(
        failing.clock.now.getTime() + CLOSE_LEASE_MS,
      );
      await failing.closer.tick();
    }
    assert.equal(failing.edits.length, MAX_CLOSE_ATTEMPTS);
    assert.equal((await failing.store.get(flaky.id))?.state, "gone");
  });
});
