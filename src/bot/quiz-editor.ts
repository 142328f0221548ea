/**
 * Edits a quiz post when it closes, through the bot's own channel message
 * route (PATCH /channels/:id/messages/:id): an interaction's token lasts 15
 * minutes, a quiz may stay open for longer, and a restarted bot has no token.
 */
import {
  DiscordAPIError,
  RESTJSONErrorCodes,
  Routes,
  type Client,
} from "discord.js";
import type { MessagePayload } from "../message/payload.js";
import type { EditResult } from "../quiz/closer.js";

const GONE: ReadonlyMap<number, string> = new Map([
  [RESTJSONErrorCodes.UnknownMessage, "the quiz post was deleted"],
  [RESTJSONErrorCodes.UnknownChannel, "the channel no longer exists"],
  [
    RESTJSONErrorCodes.MissingAccess,
    "the bot can no longer see the channel (Missing Access)",
  ],
  [RESTJSONErrorCodes.UnknownGuild, "the bot is no longer in this server"],
]);

export function quizEditor(
  client: Client,
): (
  channelId: string,
  messageId: string,
  payload: MessagePayload,
) => Promise<EditResult> {
  return async (channelId, messageId, payload) => {
    const { flags: _ephemeralNeverApplies, ...body } = payload;
    try {
      await client.rest.patch(Routes.channelMessage(channelId, messageId), {
        body: { content: "", ...body },
      });
      return { ok: true };
    } catch (err) {
      if (err instanceof DiscordAPIError) {
        const reason =
          typeof err.code === "number" ? GONE.get(err.code) : undefined;
        if (reason) return { ok: false, gone: true, error: reason };
        if (err.status === 403 || err.status === 404)
          return {
            ok: false,
            gone: true,
            error: `Discord refused the edit (${err.status} ${err.code}: ${err.message})`,
          };
        return {
          ok: false,
          gone: err.status < 500 && err.status !== 429,
          error: `Discord answered ${err.status} (${err.message})`,
        };
      }
      return {
        ok: false,
        gone: false,
        error: `could not reach Discord (${err instanceof Error ? err.message : String(err)})`,
      };
    }
  };
}
