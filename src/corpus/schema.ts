/**
 * The on-disk format of the corpus, as zod schemas. `data/README.md`
 * documents the same format for people; keep the two together.
 */
import { z } from 'zod';
import { MARKER_STYLES } from './notes.js';

const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens');

export const themeFileSchema = z.object({
  themes: z
    .array(
      z.object({
        id,
        label: z.string().min(1),
        description: z.string().min(1),
        question: z.string().min(1),
      }),
    )
    .min(1),
});

export const kindFileSchema = z.object({
  kinds: z
    .array(
      z.object({
        id,
        label: z.string().min(1),
        description: z.string().min(1),
        /** The words by which a narration names this kind of source ("meeting", "assembly"): the attribution check reads them. */
        words: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
});

export const synonymFileSchema = z.object({
  groups: z.array(z.array(z.string().min(1)).min(2)),
});

export const noteSchema = z.object({
  n: z.number().int().positive(),
  text: z.string().min(1),
  url: z.string().url().nullable(),
  short: z.string().min(1),
  archive: z.string().min(1).optional(),
});

export const sourceFileSchema = z.object({
  id,
  file: z.string().min(1),
  title: z.string().min(1),
  author: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
  category: z.string().min(1).optional(),
  /** Where it was published, for citations ("New Politics"). */
  publication: z.string().min(1).optional(),
  url: z.string().url().optional(),
  idPrefix: z.string().regex(/^[a-z0-9]+$/, 'must be lowercase letters and digits (quote ids are <prefix>-NNN)'),
  /** Sources are listed by this number (then by id): the first is the work `/source n` means by default. */
  order: z.number().int().optional(),
  /** Which source kind's quotes all rest on one note, whatever paragraph they sit in (note 2 for the Harvard Project). */
  /** How the body marks its notes: ^[n] (caret, the default), [n] (bracket) or superscript digits. */
  noteMarkers: z.enum(MARKER_STYLES).optional(),
  kindNotes: z.record(z.string(), z.number().int().positive()).optional(),
  /** Editorial decisions: the quotes of these paragraphs whose narration names no kind of source are of this kind, for this reason. */
  kindDecisions: z
    .array(
      z
        .object({
          kind: z.string().min(1),
          paragraphs: z.tuple([z.number().int().positive(), z.number().int().positive()]),
          reason: z.string().min(1),
        })
        .strict(),
    )
    .optional(),
  notes: z.array(noteSchema),
});

export const facetsSchema = z
  .object({
    age: z.number().int().min(1).max(120).optional(),
    ageGroup: z.enum(['young', 'older']).optional(),
    gender: z.enum(['female', 'male']).optional(),
    nationality: z.string().min(1).optional(),
    occupation: z.string().min(1).optional(),
  })
  .strict();

export const quoteSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+-\d{3,}$/, 'must look like "lr-001": the source prefix, a hyphen, digits'),
    paragraph: z.number().int().positive(),
    speaker: z.string().min(1),
    facets: facetsSchema,
    source: z.string().min(1),
    note: z.number().int().positive(),
    themes: z.array(z.string()).min(1),
    parts: z.array(z.string()),
    glosses: z.array(z.string().min(1)).optional(),
    remarks: z.string().min(1).optional(),
    /** Earlier quotes whose narration also describes this speaker ("He then repeated…", "the manifesto"). */
    describedWith: z.array(z.string()).min(1).optional(),
    /** Where the description states no gender: the narration's words that do, verbatim ("said that he had heard"). */
    genderFrom: z.string().min(1).optional(),
  })
  .strict();

export const quoteFileSchema = z.array(z.unknown());

export const excludedFileSchema = z.array(
  z
    .object({
      text: z.string().min(1),
      reason: z.string().min(1),
      /** An id once given to these words and withdrawn: it is never reused for other words. */
      retiredId: z.string().optional(),
      /** The essay's own words in quotation marks (a label, a name, a proverb it names), shown in the narration around quotes. */
      narration: z.boolean().optional(),
    })
    .strict(),
);

export type RawQuote = z.infer<typeof quoteSchema>;
export type RawSource = z.infer<typeof sourceFileSchema>;
export type RawNote = z.infer<typeof noteSchema>;
