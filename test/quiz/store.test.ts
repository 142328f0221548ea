/**
 * The quiz store's guarantees, in SQL: one answer per person and quiz (also
 * from two processes at once), one closer per quiz, scores per period,
 * forget-me everywhere.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { CLOSE_LEASE_MS, type NewQuiz } from "../../src/quiz/store.js";
import { STORE_ENGINES } from "../../support/stores.js";

const T0 = new Date("2026-03-10T12:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hv-quiz-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function newQuiz(id: string, over: Partial<NewQuiz> = {}): NewQuiz {
  return {
    id,
    guildId: "g1",
    channelId: "c1",
    askedBy: "asker",
    quoteId: "lr-002",
    mode: "speaker",
    shown: "Lenin created a real miracle.",
    options: ["A lawyer", "A 50-year-old engineer", "A soldier", "A mechanic"],
    answer: 1,
    openedAt: T0,
    closesAt: at(10),
    language: "en",
    ...over,
  };
}

for (const engine of STORE_ENGINES) describe(engine.name, () => {
/** A fresh database's quiz store, and the fixture (its location, other connections). */
async function storeOn(t: TestContext) {
  const db = await engine.fresh(t);
  return Object.assign(db.quiz, { fixture: db });
}

describe("language", () => {
  it("keeps the asker’s language for the post, English by default", async (t) => {
    const store = await storeOn(t);
    assert.equal((await store.create(newQuiz("q-uk", { language: "uk" }))).language, "uk");
    assert.equal((await store.get("q-uk"))?.language, "uk");
    assert.equal((await store.create(newQuiz("q-en"))).language, "en");
  });
});

describe("answers", () => {
  it("count once per person: a second press changes nothing, and says what the first was", async (t) => {
    const store = await storeOn(t);
    await store.create(newQuiz("q1"));
    assert.equal((await store.answer("q1", "u1", 1, at(1))).status, "counted");
    const again = await store.answer("q1", "u1", 2, at(2));
    assert.equal(again.status, "already");
    assert.equal(again.status === "already" && again.choice, 1);
    assert.equal((await store.answer("q1", "u2", 0, at(2))).status, "counted");
    assert.deepEqual(await store.tally("q1"), { answered: 2, right: 1 });
    assert.equal((await store.answer("nope", "u1", 0, at(1))).status, "unknown");
  });

  it("are refused once the quiz is due to close or closed", async (t) => {
    const store = await storeOn(t);
    await store.create(newQuiz("q1"));
    assert.equal((await store.answer("q1", "u1", 1, at(10))).status, "closed");
    await store.create(newQuiz("q2"));
    assert.ok(await store.claimClose("q2", at(3), true));
    assert.equal((await store.answer("q2", "u1", 1, at(4))).status, "closed");
    assert.deepEqual(await store.tally("q2"), { answered: 0, right: 0 });
  });

  it("from two processes on one database, pressed at once many times, count once each", async (t) => {
    const dir = tempDir(t);
    const store = await storeOn(t);
    const where = store.fixture.location;
    await store.create(newQuiz("q1", { closesAt: new Date("2100-01-01T00:00:00Z") }));
    const storeModule = fileURLToPath(
      new URL("../../src/quiz/sqlite-store.ts", import.meta.url),
    );
    const dbModule = fileURLToPath(
      new URL("../../src/db/database.ts", import.meta.url),
    );
    const pgModule = fileURLToPath(new URL("../../src/db/postgres.ts", import.meta.url));
    const pgStoreModule = fileURLToPath(new URL("../../src/quiz/pg-store.ts", import.meta.url));
    const script = path.join(dir, "press.mts");
    // Each process presses for the same 40 people, each 5 times, in its own order.
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(dbModule)};
       import { SqliteQuizStore } from ${JSON.stringify(storeModule)};
       import { openPostgres } from ${JSON.stringify(pgModule)};
       import { PgQuizStore } from ${JSON.stringify(pgStoreModule)};
       const where = ${JSON.stringify(where)};
       const store = where.startsWith('postgres') ? new PgQuizStore(await openPostgres(where, { max: 1 })) : new SqliteQuizStore(openDatabase(where));
       const counted = [];
       const order = process.argv[2] === 'b' ? [...Array(40).keys()].reverse() : [...Array(40).keys()];
       for (let round = 0; round < 5; round++) for (const i of order) {
         const r = await store.answer('q1', 'u' + i, (i + round) % 4, new Date());
         if (r.status === 'counted') counted.push(i);
       }
       console.log(JSON.stringify(counted));
       process.exit(0);`,
    );
    const run = (arg: string) =>
      new Promise<number[]>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", script, arg],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) =>
          code === 0
            ? resolve(JSON.parse(out) as number[])
            : reject(new Error(`child exited ${code}`)),
        );
      });
    const [a, b] = await Promise.all([run("a"), run("b")]);
    // Every person counted exactly once, by one process or the other.
    assert.deepEqual(
      [...a, ...b].sort((x, y) => x - y),
      [...Array(40).keys()],
    );
    assert.equal((await store.tally("q1")).answered, 40);
  });
});

describe("closing", () => {
  it("is claimed by one closer; a lapsed claim is taken over; closed is final", async (t) => {
    const store = await storeOn(t);
    await store.create(newQuiz("q1"));
    assert.deepEqual(await store.dueToClose(at(9)), []);
    assert.equal(await store.claimClose("q1", at(9)), null, "not due yet");
    assert.deepEqual(await store.dueToClose(at(10)), ["q1"]);
    assert.ok(await store.claimClose("q1", at(10)));
    assert.equal(
      await store.claimClose("q1", at(10)),
      null,
      "a second closer gets nothing",
    );
    assert.equal(await store.claimClose("q1", at(10), true), null, "nor does Reveal");
    const later = new Date(at(10).getTime() + CLOSE_LEASE_MS);
    assert.equal(
      (await store.claimClose("q1", later))?.attempts,
      2,
      "the claim lapsed: taken over",
    );
    await store.markClosed("q1");
    assert.equal((await store.get("q1"))?.state, "closed");
    assert.deepEqual(await store.dueToClose(at(100)), []);
  });
});

describe("scores and forgetting", () => {
  it("ranks a server’s answerers since a date, right answers first; forget-me deletes a person’s answers everywhere", async (t) => {
    const store = await storeOn(t);
    const far = new Date("2100-01-01T00:00:00Z");
    await store.create(
      newQuiz("old", {
        openedAt: new Date("2026-01-05T10:00:00Z"),
        closesAt: far,
      }),
    );
    await store.create(newQuiz("new", { openedAt: at(0), closesAt: far }));
    await store.create(newQuiz("other-server", { guildId: "g2", closesAt: far }));
    await store.answer("old", "ann", 1, new Date("2026-01-05T10:01:00Z"));
    await store.answer("old", "bob", 1, new Date("2026-01-05T10:01:00Z"));
    await store.answer("new", "bob", 0, at(1));
    await store.answer("new", "cat", 1, at(1));
    await store.answer("other-server", "ann", 1, at(1));
    assert.deepEqual(await store.scores("g1", null, 10), [
      { userId: "ann", right: 1, answered: 1 },
      { userId: "cat", right: 1, answered: 1 },
      { userId: "bob", right: 1, answered: 2 },
    ]);
    assert.deepEqual(await store.scores("g1", new Date("2026-03-09T00:00:00Z"), 10), [
      { userId: "cat", right: 1, answered: 1 },
      { userId: "bob", right: 0, answered: 1 },
    ]);
    assert.equal(await store.forgetUser("ann"), 2);
    assert.deepEqual(
      (await store.scores("g1", null, 10)).map((r) => r.userId),
      ["cat", "bob"],
    );
    assert.deepEqual(await store.scores("g2", null, 10), []);
    assert.equal(await store.forgetUser("ann"), 0);
  });

  it("keeps one term start per server", async (t) => {
    const store = await storeOn(t);
    assert.equal(await store.termStart("g1"), null);
    await store.setTerm("g1", "2026-01-05", "admin", T0);
    await store.setTerm("g1", "2026-02-02", "admin", T0);
    assert.equal(await store.termStart("g1"), "2026-02-02");
  });
});
});
