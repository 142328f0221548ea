/**
 * The contract between the product's surface (`commands/`) and its edges
 * (the discord.js bot in `src/bot`, the offline console in `src/console`).
 *
 * Handlers never touch discord.js: they receive a plain request and return a
 * plain reply (Discord API JSON). Each edge turns its own world into a request
 * and sends or prints the reply, so the bot and the console run the very same
 * handler code.
 */
import type { APIApplicationCommandOptionChoice, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { App } from '../app.js';
import type { Language } from '../i18n/index.js';
import type { MessagePayload } from '../message/payload.js';

/** A value of a slash-command option as the handler sees it. */
export type OptionValue =
  | string
  | number
  | boolean
  | { kind: 'channel'; id: string; name: string; type: number; botPermissions: bigint | null }
  | { kind: 'role'; id: string; name: string; mentionable: boolean };

export interface Caller {
  /** Discord user id (a snowflake as a string); the console uses a fixed local id. */
  readonly userId: string;
  /** null in DMs. */
  readonly guildId: string | null;
  readonly channelId: string | null;
  /** Permissions of the member who invoked, null outside a server. */
  readonly memberPermissions: bigint | null;
  /** The language of the user's Discord client (interaction `locale`), for the bot's own words; English when absent. */
  readonly language?: Language;
}

export interface CommandRequest extends Caller {
  readonly commandName: string;
  readonly subcommand: string | null;
  readonly options: Readonly<Record<string, OptionValue>>;
  /** The instant the interaction arrived: handlers never read the clock themselves. */
  readonly now: Date;
}

export interface AutocompleteRequest extends Caller {
  readonly commandName: string;
  readonly subcommand: string | null;
  /** The option being typed and what has been typed so far. */
  readonly focused: { readonly name: string; readonly value: string };
  readonly options: Readonly<Record<string, OptionValue>>;
  readonly now: Date;
}

export interface ButtonRequest extends Caller {
  readonly customId: string;
  /** The message the button sits on, when known. */
  readonly messageId: string | null;
  /** Who invoked the command that produced the message the button sits on, when known. */
  readonly messageOwnerId: string | null;
  readonly now: Date;
}

/**
 * What a handler answers.
 * - `message`: a new reply (ephemeral when `payload.flags` has `EPHEMERAL`).
 * - `update`: edit the message the button sits on (paging), then send `followUp` if any
 *   (a private word to the presser, such as a quiz answer's acknowledgement).
 * `sent`, when given, is called once the edge has sent it, with the id of the message it
 * created or edited (null where there is none, as in the console): a quiz records its post. The edge
 * awaits it (it may write to the database) before the interaction counts as answered.
 */
export type Reply =
  | { readonly type: 'message'; readonly payload: MessagePayload; readonly sent?: (messageId: string | null) => Promise<void> | void }
  | { readonly type: 'update'; readonly payload: MessagePayload; readonly followUp?: MessagePayload; readonly sent?: (messageId: string | null) => Promise<void> | void };

export interface Command {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Its replies are private: if it must defer (slow work), defer as ephemeral. */
  readonly ephemeral?: boolean;
  execute(request: CommandRequest, app: App): Promise<Reply> | Reply;
  autocomplete?(request: AutocompleteRequest, app: App): APIApplicationCommandOptionChoice[];
  /** Custom-id prefix this command's buttons use, e.g. `quote:` */
  readonly buttonPrefix?: string;
  button?(request: ButtonRequest, app: App): Promise<Reply> | Reply;
}
