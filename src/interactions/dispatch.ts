/**
 * Routes a request to its command module. Shared by the bot and the console,
 * so both run exactly the same handlers. Throws only when a handler throws;
 * each edge funnels that into one polite reply.
 */
import type { APIApplicationCommandOptionChoice } from 'discord-api-types/v10';
import type { App } from '../app.js';
import { isDatabaseUnreachable } from '../db/postgres.js';
import { t, type Language } from '../i18n/index.js';
import { notice } from '../message/payload.js';
import type { AutocompleteRequest, ButtonRequest, Command, CommandRequest, Reply } from './types.js';

export class Dispatcher {
  private readonly byName: ReadonlyMap<string, Command>;
  /** The app a request is answered from, read once per request (the bot's is swapped on reload). */
  private readonly currentApp: () => App;

  constructor(
    readonly commands: readonly Command[],
    app: App | { readonly current: App },
  ) {
    this.byName = new Map(commands.map((c) => [c.data.name, c]));
    this.currentApp = 'current' in app ? () => app.current : () => app;
  }

  /** The app the next request will be answered from. */
  get app(): App {
    return this.currentApp();
  }

  async command(request: CommandRequest): Promise<Reply> {
    const command = this.byName.get(request.commandName);
    if (!command) return { type: 'message', payload: notice(t(request.language ?? 'en', 'errors.unknownCommand', { name: request.commandName })) };
    return unlessUnreachable(() => command.execute(request, this.app), request.language);
  }

  async button(request: ButtonRequest): Promise<Reply> {
    const command = this.commands.find((c) => c.buttonPrefix && c.button && request.customId.startsWith(c.buttonPrefix));
    if (!command?.button) return { type: 'message', payload: notice(t(request.language ?? 'en', 'errors.staleButton')) };
    const { button } = command;
    return unlessUnreachable(() => button(request, this.app), request.language);
  }

  autocomplete(request: AutocompleteRequest): APIApplicationCommandOptionChoice[] {
    const command = this.byName.get(request.commandName);
    return command?.autocomplete ? command.autocomplete(request, this.app) : [];
  }

  /** Which command a button belongs to, for logs. */
  buttonOwner(customId: string): string | null {
    return this.commands.find((c) => c.buttonPrefix && customId.startsWith(c.buttonPrefix))?.data.name ?? null;
  }
}

/**
 * Runs a handler; when the database cannot be reached (it went away mid-run),
 * says so plainly and privately instead of a generic apology. Other errors go
 * on to the edge's funnel.
 */
async function unlessUnreachable(handle: () => Promise<Reply> | Reply, language: Language | undefined): Promise<Reply> {
  try {
    return await handle();
  } catch (error) {
    if (!isDatabaseUnreachable(error)) throw error;
    return { type: 'message', payload: notice(t(language ?? 'en', 'errors.storageUnavailable')) };
  }
}
