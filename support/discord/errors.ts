/** Discord's error bodies, with the status/code/message triples Discord itself answers. */
import { missingPermissionNames } from './permissions.js';
import type { FormErrorTree } from './validation.js';

/** What a route handler answers; the HTTP layer writes it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: number, message: string): Reply => ({ status, body: { message, code } });

/** Discord's own status/code/message triples for the errors the stand-in produces. */
export const ERRORS = {
  unauthorized: error(401, 0, '401: Unauthorized'),
  notFound: error(404, 0, '404: Not Found'),
  methodNotAllowed: error(405, 0, '405: Method Not Allowed'),
  invalidJson: error(400, 50109, 'The request body contains invalid JSON.'),
  unknownChannel: error(404, 10003, 'Unknown Channel'),
  unknownGuild: error(404, 10004, 'Unknown Guild'),
  unknownMessage: error(404, 10008, 'Unknown Message'),
  unknownWebhook: error(404, 10015, 'Unknown Webhook'),
  unknownInteraction: error(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: error(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: error(403, 50001, 'Missing Access'),
  missingPermissions: error(403, 50013, 'Missing Permissions'),
  cannotEditOthersMessage: error(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: error(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: error(401, 50027, 'Invalid Webhook Token'),
  // Approximation: the limit is documented, its error code is not; 30xxx is Discord's "maximum reached" family.
  tooManyFollowUps: error(400, 30058, 'Maximum number of follow-up messages reached (5) for a user-installed app'),
  threadAlreadyCreated: error(400, 160004, 'A thread has already been created for this message'),
  internal: error(500, 0, '500: Internal Server Error'),
} as const satisfies Record<string, Reply>;

export function invalidFormBody(errors: FormErrorTree): Reply {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

/**
 * 403 50013. `missing` is not part of Discord's body; it is ignored by
 * discord.js and tells a failing test what the bot lacked.
 */
export function missingPermissions(granted: bigint, required: bigint): Reply {
  return { status: 403, body: { ...(ERRORS.missingPermissions.body as Record<string, unknown>), missing: missingPermissionNames(granted, required) } };
}
