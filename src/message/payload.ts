/**
 * The messages we send, as plain Discord API JSON: the leaf both the handlers'
 * contract (src/interactions) and the renderers (src/render) build on, so
 * neither has to import the other for it.
 */
import { MessageFlags, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord-api-types/v10';
import { truncate } from '../text/truncate.js';
import { LIMITS } from './limits.js';

/** The body of a message we send: always JSON Discord accepts as is. */
export interface MessagePayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Always set: nothing we send may ping anyone unless asked for. */
  allowed_mentions: { parse: []; roles?: string[]; users?: string[] };
  /** `EPHEMERAL` for a reply only its caller sees. */
  flags?: number;
}

/** A reply only the person who asked sees. */
export const EPHEMERAL = MessageFlags.Ephemeral;

/** allowed_mentions that let nothing ping. */
export const NO_MENTIONS = { parse: [] as [] };

/** A short ephemeral answer: errors, refusals, "nothing found". */
export function notice(text: string): MessagePayload {
  return { content: truncate(text, LIMITS.content), flags: EPHEMERAL, allowed_mentions: NO_MENTIONS };
}
