/**
 * Our payloads (Discord API JSON) in discord.js' spelling, for every send:
 * interaction replies, follow-ups and edits (src/bot/respond.ts) and the
 * daily posts and their threads (src/bot/poster.ts). One converter, so the
 * bot cannot ping through one path what the other would not.
 */
import { MessageFlags, type BaseMessageOptions, type InteractionReplyOptions } from 'discord.js';
import { EPHEMERAL, type MessagePayload } from '../message/payload.js';

/** Content, embeds, components and the mentions allowed: what every kind of send shares. */
export function toMessageOptions(payload: MessagePayload): BaseMessageOptions {
  return {
    ...(payload.content !== undefined ? { content: payload.content } : {}),
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    // discord.js spells allowed_mentions in camelCase; parse stays empty: only the ids named may ping.
    allowedMentions: { parse: [], roles: payload.allowed_mentions.roles ?? [], users: payload.allowed_mentions.users ?? [] },
  };
}

/** An interaction reply: the message options, ephemeral when the payload says so. */
export function toReplyOptions(payload: MessagePayload): InteractionReplyOptions {
  return { ...toMessageOptions(payload), ...((payload.flags ?? 0) & EPHEMERAL ? { flags: MessageFlags.Ephemeral } : {}) };
}
