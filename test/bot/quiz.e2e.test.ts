/**
 * End to end: /quiz through the real discord.js client and the local Discord
 * stand-in. Three people answer, one of them twice; a stranger may not
 * Reveal, the asker may; the scores name everyone and ping no one; a quiz left
 * open closes on time through the channel message route, after the
 * interaction's token has expired; a deleted post is handled politely.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApplicationCommandOptionType,
  type APIButtonComponentWithCustomId,
  type APIMessage,
} from "discord-api-types/v10";
import { build } from "../../support/bot.js";

const SUB = ApplicationCommandOptionType.Subcommand;
const ann = { id: "1180000000000000201", username: "ann" };
const bob = { id: "1180000000000000202", username: "bob" };
const cat = { id: "1180000000000000203", username: "cat" };
const teacher = { id: "1180000000000000204", username: "teacher" };

/** Waits (briefly, in real time) for what the bot does just after Discord has its answer. */
async function until<T>(
  probe: () => Promise<T | null | undefined> | T | null | undefined,
  what: string,
): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function buttons(
  message: APIMessage | null | undefined,
): APIButtonComponentWithCustomId[] {
  const rows = (message?.components ?? []) as unknown as {
    components?: unknown[];
  }[];
  return rows.flatMap(
    (row) => row.components ?? [],
  ) as APIButtonComponentWithCustomId[];
}

test("/quiz ask: three answer, one twice; Reveal by the asker; scores ping no one", async (t) => {
  const { standIn, bot, clock } = await build(t);
  const asked = await standIn.sendCommand({
    name: "quiz",
    user: teacher,
    options: [{ name: "ask", type: SUB, options: [] }],
  });
  const post = await asked.response();
  assert.equal(post.ephemeral, false);
  const message = post.message as APIMessage;
  assert.match(message.embeds[0]?.title ?? "", /who said it/);
  assert.match(
    message.embeds[0]?.description ?? "",
    /\*\*0 answers\*\* so far · closes <t:\d+:R>/,
  );
  const options = buttons(message).filter((b) =>
    b.custom_id.startsWith("quiz:answer:"),
  );
  assert.equal(options.length, 4);
  assert.equal(new Set(options.map((b) => b.label)).size, 4);
  // The speaker is hidden: no speaker line, no narration.
  assert.doesNotMatch(message.embeds[0]?.description ?? "", /\n— /);

  const store = bot.app.quiz?.store;
  assert.ok(store);
  const quizId = options[0]?.custom_id.split(":")[2] as string;
  const quiz = await until(async () => {
    const q = await store.get(quizId);
    return q?.messageId ? q : null;
  }, "the post’s id");
  assert.equal(
    quiz.messageId,
    message.id,
    "the post’s id is recorded, to close it after the token expires",
  );
  const right = options[quiz.answer] as APIButtonComponentWithCustomId;
  const wrong = options[
    (quiz.answer + 1) % 4
  ] as APIButtonComponentWithCustomId;

  const press = async (user: typeof ann, b: APIButtonComponentWithCustomId) => {
    const handle = await standIn.sendButton({
      customId: b.custom_id,
      message: message.id,
      user,
    });
    await handle.response();
    return handle;
  };
  const first = await press(ann, right);
  await first.waitFor(() => first.followUps[0]);
  assert.match(first.followUps[0]?.content ?? "", /^Right — it was \*\*/);
  assert.match(first.followUps[0]?.content ?? "", /quoted in Phil Gasper/);
  assert.ok(
    ((first.followUps[0]?.flags ?? 0) & 64) !== 0,
    "the acknowledgement is private",
  );
  assert.match(
    standIn.message(message.id)?.embeds[0]?.description ?? "",
    /\*\*1 answer\*\* so far/,
  );

  const second = await press(bob, wrong);
  await second.waitFor(() => second.followUps[0]);
  assert.match(
    second.followUps[0]?.content ?? "",
    /^Not this time — it was \*\*/,
  );
  // Bob presses again, the right one this time: nothing changes.
  const again = await press(bob, right);
  const againReply = await again.response();
  assert.equal(againReply.ephemeral, true);
  assert.match(againReply.message?.content ?? "", /answered this quiz already/);
  await press(cat, right).then((h) => h.waitFor(() => h.followUps[0]));
  assert.match(
    standIn.message(message.id)?.embeds[0]?.description ?? "",
    /\*\*3 answers\*\* so far/,
  );
  assert.deepEqual(await store.tally(quizId), { answered: 3, right: 2 });

  // Reveal: not for a plain member who did not ask.
  const revealButton = buttons(message).find(
    (b) => b.label === "Reveal",
  ) as APIButtonComponentWithCustomId;
  const refused = await (
    await standIn.sendButton({
      customId: revealButton.custom_id,
      message: message.id,
      user: ann,
    })
  ).response();
  assert.equal(refused.ephemeral, true);
  assert.match(
    refused.message?.content ?? "",
    /Only the person who asked this quiz, or a server manager/,
  );
  const revealed = await (
    await standIn.sendButton({
      customId: revealButton.custom_id,
      message: message.id,
      user: teacher,
    })
  ).response();
  assert.equal(revealed.callbackType, 7);
  const closed = standIn.message(message.id);
  assert.match(
    closed?.content ?? "",
    /closed\.\*\* It was \*\*.+\*\*\. 3 answers, 2 were right\./,
  );
  assert.match(
    closed?.embeds[0]?.description ?? "",
    /\n— /,
    "the speaker is shown",
  );
  assert.deepEqual(
    buttons(closed)
      .slice(4)
      .map((b) => b.label),
    ["Cite", "Context"],
  );
  assert.ok(
    buttons(closed)
      .slice(0, 4)
      .every((b) => b.disabled),
  );
  await until(
    async () => (await store.get(quizId))?.state === "closed",
    "the close recorded",
  );
  // After the close, a press changes nothing.
  const late = await (
    await standIn.sendButton({
      customId: right.custom_id,
      message: message.id,
      user: teacher,
    })
  ).response();
  assert.match(late.message?.content ?? "", /This quiz has closed/);
  assert.equal((await store.tally(quizId)).answered, 3);
  // The Cite button of the closed post works.
  const cite = await (
    await standIn.sendButton({
      customId:
        buttons(closed).find((b) => b.label === "Cite")?.custom_id ?? "",
      message: message.id,
      user: bob,
    })
  ).response();
  assert.equal(cite.ephemeral, true);

  // Scores: everyone named, nobody pinged.
  clock.now = new Date(clock.now.getTime() + 60_000);
  const scoresHandle = await standIn.sendCommand({
    name: "quiz",
    user: bob,
    options: [
      {
        name: "scores",
        type: SUB,
        options: [
          {
            name: "period",
            type: ApplicationCommandOptionType.String,
            value: "all",
          },
        ],
      },
    ],
  });
  const scores = await scoresHandle.response();
  const lines = scores.message?.embeds[0]?.description?.split("\n") ?? [];
  assert.equal(lines.length, 3);
  assert.match(
    lines[2] ?? "",
    new RegExp(`^3\\. <@${bob.id}> — 0 right of 1$`),
  );
  assert.ok(lines.slice(0, 2).every((l) => / — 1 right of 1$/.test(l)));
  const sent = standIn.callbacks.find(
    (c) => c.interactionId === scoresHandle.id,
  )?.data as { allowed_mentions?: unknown };
  assert.deepEqual(sent.allowed_mentions, { parse: [], roles: [], users: [] });

  // Forget-me: Bob's answers go, and with them his line.
  const forgot = await (
    await standIn.sendCommand({
      name: "quiz",
      user: bob,
      options: [{ name: "forget-me", type: SUB, options: [] }],
    })
  ).response();
  assert.equal(forgot.ephemeral, true);
  assert.match(
    forgot.message?.content ?? "",
    /your answer to quizzes, in every server, is deleted/,
  );
  const after = await (
    await standIn.sendCommand({
      name: "quiz",
      user: bob,
      options: [
        {
          name: "scores",
          type: SUB,
          options: [
            {
              name: "period",
              type: ApplicationCommandOptionType.String,
              value: "all",
            },
          ],
        },
      ],
    })
  ).response();
  assert.doesNotMatch(
    after.message?.embeds[0]?.description ?? "",
    new RegExp(bob.id),
  );
  assert.equal(
    standIn.unknownRequests.length,
    0,
    JSON.stringify(standIn.unknownRequests.map((r) => `${r.method} ${r.path}`)),
  );
});

test("a quiz left open closes on time through the channel route, after the token has expired; a deleted post is handled", async (t) => {
  const { standIn, bot, clock, logs } = await build(t);
  const ask = async (minutes: number) => {
    const r = await (
      await standIn.sendCommand({
        name: "quiz",
        user: teacher,
        options: [
          {
            name: "ask",
            type: SUB,
            options: [
              {
                name: "minutes",
                type: ApplicationCommandOptionType.Integer,
                value: minutes,
              },
            ],
          },
        ],
      })
    ).response();
    const id = buttons(r.message)[0]?.custom_id.split(":")[2] as string;
    await until(async () => (await bot.app.quiz?.store.get(id))?.messageId, "the post’s id");
    return r.message as APIMessage;
  };
  const long = await ask(30);
  const deleted = await ask(30);
  standIn.deleteMessage(deleted.id);
  clock.now = new Date(clock.now.getTime() + 29 * 60_000);
  await bot.quizCloser.tick();
  assert.equal(
    standIn.message(long.id)?.content ?? "",
    "",
    "still open at 29 minutes",
  );
  clock.now = new Date(clock.now.getTime() + 60_000);
  await bot.quizCloser.tick();
  const closed = standIn.message(long.id);
  assert.match(
    closed?.content ?? "",
    /closed\.\*\* It was \*\*.+\*\*\. 0 answers, none this time\./,
  );
  const patch = standIn.requests.filter(
    (r) =>
      r.method === "PATCH" &&
      r.route === "/channels/:channelId/messages/:messageId",
  );
  assert.equal(
    patch.length,
    2,
    `both closed through the bot’s channel message route: ${JSON.stringify(standIn.requests.map((r) => [r.method, r.path, r.route]))}`,
  );
  const store = bot.app.quiz?.store;
  const deletedId = buttons(deleted)[0]?.custom_id.split(":")[2] as string;
  assert.equal((await store?.get(deletedId))?.state, "gone");
  assert.ok(
    logs.some(
      (l) =>
        l.msg === "quiz: closed; its post could not be edited" &&
        l.error === "the quiz post was deleted",
    ),
  );
});

test("/quiz refuses bad input politely and changes nothing", async (t) => {
  const { standIn, bot } = await build(t);
  const theme = await (
    await standIn.sendCommand({
      name: "quiz",
      options: [
        {
          name: "ask",
          type: SUB,
          options: [
            {
              name: "theme",
              type: ApplicationCommandOptionType.String,
              value: "@everyone nothing",
            },
          ],
        },
      ],
    })
  ).response();
  assert.equal(theme.ephemeral, true);
  assert.match(
    theme.message?.content ?? "",
    /There is no theme “@\u200beveryone nothing”/,
  );
  const term = await (
    await standIn.sendCommand({
      name: "quiz",
      options: [
        {
          name: "term",
          type: SUB,
          options: [
            {
              name: "date",
              type: ApplicationCommandOptionType.String,
              value: "2026-01-05",
            },
          ],
        },
      ],
    })
  ).response();
  assert.equal(term.ephemeral, true);
  assert.match(term.message?.content ?? "", /Only server managers/);
  const noTerm = await (
    await standIn.sendCommand({
      name: "quiz",
      options: [
        {
          name: "scores",
          type: SUB,
          options: [
            {
              name: "period",
              type: ApplicationCommandOptionType.String,
              value: "term",
            },
          ],
        },
      ],
    })
  ).response();
  assert.match(
    noTerm.message?.content ?? "",
    /has not set when its term began/,
  );
  assert.equal(await bot.app.quiz?.store.termStart(standIn.guildId), null);
});
