/**
 * Every quote of the corpus as a quiz question: four different buttons within
 * Discord's limit, the answer among them, no wrong answer that is the answer
 * in other words, and nothing in the shown text that names the answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stemmer } from "stemmer";
import { loadLibrary } from "../../src/app.js";
import {
  askableQuotes,
  askableSpeaker,
  buildQuestion,
  hiddenStems,
  identifyingStems,
  MASK,
  maskWords,
  optionLabel,
  pickQuestion,
  spokenText,
  speakerDistractors,
  type Question,
} from "../../src/quiz/question.js";
import { mulberry32 as seeded } from "../../src/daily/rotation.js";

const { corpus } = loadLibrary();

/** Stems of every word the reader sees, hyphenated pieces and possessives included. */
function shownStems(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    for (const piece of [m[0], ...m[0].split(/['’-]/)]) {
      const w = piece.toLowerCase().replace(/['’]s$/, "");
      if (w) out.add(/^\d+$/.test(w) ? w : stemmer(w));
    }
  }
  return out;
}

function checkShape(q: Question, answer: string, what: string): void {
  assert.equal(q.options.length, 4, what);
  assert.equal(
    new Set(q.options.map((o) => o.toLowerCase())).size,
    4,
    `${what}: two buttons read the same: ${q.options.join(" | ")}`,
  );
  assert.equal(
    q.options[q.answer],
    answer,
    `${what}: the answer is not the button marked right`,
  );
  for (const o of q.options)
    assert.ok(
      o.length >= 1 && o.length <= 80,
      `${what}: label "${o}" is ${o.length} characters`,
    );
}

/** The shown text is the speaker's words with whole words masked, nothing else changed. */
function checkFaithful(q: Question, spoken: string, what: string): void {
  const pattern = new RegExp(
    `^${q.shown
      .split(MASK)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("[\\p{L}\\p{N}'’-]+")}$`,
    "u",
  );
  assert.match(
    spoken,
    pattern,
    `${what}: the shown text differs from the speaker's words beyond masked words`,
  );
}

describe("speaker questions, for every quote", () => {
  const askable = corpus.quotes.filter(askableSpeaker);

  it("asks about every speaker the essay describes on its own; only relative descriptions are left out", () => {
    const left = corpus.quotes.filter((q) => !askableSpeaker(q));
    for (const q of left)
      assert.match(
        q.speaker,
        /^(another|yet another|other|one|similar)\b/i,
        `${q.id} "${q.speaker}" is left out`,
      );
    assert.ok(
      askable.length >= 100,
      `only ${askable.length} quotes can be asked`,
    );
  });

  for (const seed of [1, 2, 3]) {
    it(`four fair, different buttons and no leak of the speaker (draw ${seed})`, () => {
      const random = seeded(seed);
      let checked = 0;
      for (const quote of askable) {
        const q = buildQuestion(corpus, quote, "speaker", random);
        assert.ok(q, `${quote.id}: no question`);
        checkShape(q, optionLabel(quote.speaker), quote.id);
        const answerStems = identifyingStems(quote.speaker);
        for (const [i, label] of q.options.entries()) {
          if (i === q.answer) continue;
          const stems = identifyingStems(label);
          const inside =
            [...stems].every((s) => answerStems.has(s)) ||
            [...answerStems].every((s) => stems.has(s));
          assert.ok(
            !inside,
            `${quote.id}: wrong answer "${label}" could also describe "${quote.speaker}"`,
          );
        }
        // No word of the answer that identifies the speaker stands in the shown text.
        const leaks = [...answerStems].filter((s) =>
          shownStems(q.shown).has(s),
        );
        assert.deepEqual(
          leaks,
          [],
          `${quote.id}: "${quote.speaker}" shows through in: ${q.shown}`,
        );
        // Only the speaker's words: none of the essay's narration.
        checkFaithful(q, spokenText(quote), quote.id);
        checked += 1;
      }
      assert.equal(checked, askable.length);
    });
  }

  it("prefers wrong answers on the same theme, and never the same person described elsewhere", () => {
    for (const quote of askable) {
      const { sameTheme, other } = speakerDistractors(corpus, quote);
      assert.ok(sameTheme.length + other.length >= 3, quote.id);
      for (const id of quote.describedWith) {
        const same = corpus.byId.get(id);
        if (same)
          assert.ok(
            ![...sameTheme, ...other].includes(optionLabel(same.speaker)),
            `${quote.id}: offers ${id}, the same person`,
          );
      }
    }
    // Same theme where possible: a quote with three same-theme wrong answers is asked with them.
    const quote = askable.find(
      (q) => speakerDistractors(corpus, q).sameTheme.length >= 3,
    );
    assert.ok(quote);
    const q = buildQuestion(corpus, quote, "speaker", seeded(9));
    const { sameTheme } = speakerDistractors(corpus, quote);
    assert.ok(
      q?.options.every((o, i) => i === q.answer || sameTheme.includes(o)),
    );
  });

  it("masks a word of the answer standing in the quote, and only whole words", () => {
    const quote = corpus.byId.get("lr-023");
    assert.ok(quote);
    const q = buildQuestion(corpus, quote, "speaker", seeded(1));
    assert.match(q?.shown ?? "", new RegExp(`He gave them ${MASK} ${MASK}\\.`));
    assert.equal(
      maskWords(
        "The workers’ labour, a worker-poet.",
        new Set([stemmer("worker")]),
      ),
      `The ${MASK}’ labour, a ${MASK}.`,
    );
  });
});

describe("source questions, for every quote", () => {
  for (const seed of [1, 2]) {
    it(`four different kinds, the answer among them, no kind word shown (draw ${seed})`, () => {
      const random = seeded(seed);
      for (const quote of corpus.quotes) {
        const q = buildQuestion(corpus, quote, "source", random);
        assert.ok(q, quote.id);
        const label = corpus.kinds.find((k) => k.id === quote.kind)?.label;
        assert.ok(label);
        checkShape(q, label, quote.id);
        const leaks = [...hiddenStems(corpus, quote, "source")].filter((s) =>
          shownStems(q.shown).has(s),
        );
        assert.deepEqual(leaks, [], `${quote.id}: ${q.shown}`);
        checkFaithful(q, spokenText(quote), quote.id);
      }
    });
  }
});

describe("picking a question", () => {
  it("asks within a theme when given one, for every theme", () => {
    for (const theme of corpus.themes) {
      const pool = askableQuotes(corpus, "speaker", theme.id);
      const q = pickQuestion(
        corpus,
        { mode: "speaker", theme: theme.id },
        seeded(4),
      );
      if (pool.length === 0) assert.equal(q, null, theme.id);
      else
        assert.ok(
          q && corpus.byId.get(q.quoteId)?.themes.includes(theme.id),
          theme.id,
        );
    }
  });
});
