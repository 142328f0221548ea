/**
 * Edits a quiz post when it closes, through the bot's own channel message
 * route (PATCH /channels/:id/messages/:id): an interaction's token lasts 15
 * minutes, a quiz may stay open for longer, and a restarted bot has no token.
 */
import { DiscordAPIError, RESTJSONErrorCodes, Routes, type Client } from 'discord.js';
import type { MessagePayload } from '../message/payload.js';
import type { EditResult } from '../quiz/closer.js';
import { classify } from './poster.js';

export function quizEditor(client: Client): (channelId: string, messageId: string, payload: MessagePayload) => Promise<EditResult> {
  return async (channelId, messageId, payload) => {
    const { flags: _ephemeralNeverApplies, ...body } = payload;
    try {
      await client.rest.patch(Routes.channelMessage(channelId, messageId), { body: { content: '', ...body } });
      return { ok: true };
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage) {
        return { ok: false, gone: true, error: 'the quiz post was deleted' };
      }
      // The same reading of Discord's errors as a post's: what is worth retrying is not gone.
      const failed = classify(err);
      return { ok: false, gone: !failed.retryable, error: failed.error };
    }
  };
}
