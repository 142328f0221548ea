/**
 * Application command registration: GET/PUT/POST global and guild commands,
 * ids kept per type and name across re-registrations (as Discord does), a
 * new version only when a definition changed, and Discord's body checks.
 */
import { ERRORS, invalidFormBody, type Reply } from '../errors.js';
import { route, type Route, type RouteContext } from '../http.js';
import { snowflake } from '../snowflake.js';
import type { Json, World } from '../state.js';
import { validateCommandList, type FormErrorTree } from '../validation.js';

interface StoredCommand {
  id: string;
  version: string;
  body: Json;
}

export class Commands {
  private readonly commandStore = new Map<string, StoredCommand[]>();
  /** `${scope}:${type}:${name}` → id, so re-registering a command keeps its id. */
  private readonly commandIds = new Map<string, string>();

  constructor(private readonly world: World) {}

  routes(): Route[] {
    return [
      route('GET', '/applications/:appId/commands', true, (c) => this.getCommands(c, undefined)),
      route('PUT', '/applications/:appId/commands', true, (c) => this.putCommands(c, undefined)),
      route('POST', '/applications/:appId/commands', true, (c) => this.postCommand(c, undefined)),
      route('GET', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.getCommands(c, c.params.guildId)),
      route('PUT', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.putCommands(c, c.params.guildId)),
      route('POST', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.postCommand(c, c.params.guildId)),
    ];
  }

  /** Registered commands: global ones, or those of `guildId`. */
  list(guildId?: string): Json[] {
    return (this.commandStore.get(guildId ?? 'global') ?? []).map((c) => this.apiCommand(c, guildId));
  }

  private commandScopeCheck(ctx: RouteContext, guildId: string | undefined): Reply | null {
    if (ctx.params.appId !== this.world.applicationId) return ERRORS.missingAccess;
    if (guildId !== undefined && !this.world.guilds.has(guildId)) return ERRORS.missingAccess;
    return null;
  }

  commandIdFor(scope: string, type: number, name: string): string {
    const key = `${scope}:${type}:${name}`;
    let id = this.commandIds.get(key);
    if (!id) {
      id = snowflake();
      this.commandIds.set(key, id);
    }
    return id;
  }

  apiCommand(command: StoredCommand, guildId: string | undefined): Json {
    const body = command.body;
    const out: Json = {
      id: command.id,
      application_id: this.world.applicationId,
      version: command.version,
      default_member_permissions: body.default_member_permissions ?? null,
      type: body.type ?? 1,
      name: body.name,
      name_localizations: body.name_localizations ?? null,
      description: body.description ?? '',
      description_localizations: body.description_localizations ?? null,
      nsfw: body.nsfw ?? false,
      integration_types: body.integration_types ?? [0],
      contexts: body.contexts ?? null,
    };
    if (body.options !== undefined) out.options = body.options;
    if (guildId) out.guild_id = guildId;
    else out.dm_permission = body.dm_permission ?? true;
    return out;
  }

  /** Store `bodies` as the scope's commands, keeping ids (by type+name) and versions (when unchanged). */
  private storeCommands(scope: string, bodies: Json[], replaceAll: boolean): StoredCommand[] {
    const previous = this.commandStore.get(scope) ?? [];
    const stored = bodies.map((body) => {
      const type = typeof body.type === 'number' ? body.type : 1;
      const id = this.commandIdFor(scope, type, String(body.name));
      const before = previous.find((c) => c.id === id);
      const unchanged = before && JSON.stringify(before.body) === JSON.stringify(body);
      return { id, version: unchanged ? before.version : snowflake(), body: structuredClone(body) };
    });
    const next = replaceAll ? stored : [...previous.filter((p) => !stored.some((s) => s.id === p.id)), ...stored];
    this.commandStore.set(scope, next);
    return stored;
  }

  private getCommands(ctx: RouteContext, guildId: string | undefined): Reply {
    return this.commandScopeCheck(ctx, guildId) ?? { status: 200, body: this.list(guildId) };
  }

  private putCommands(ctx: RouteContext, guildId: string | undefined): Reply {
    const denied = this.commandScopeCheck(ctx, guildId);
    if (denied) return denied;
    const errors = validateCommandList(ctx.body);
    if (!errors.empty) return invalidFormBody(errors.tree);
    this.storeCommands(guildId ?? 'global', ctx.body as Json[], true);
    return { status: 200, body: this.list(guildId) };
  }

  private postCommand(ctx: RouteContext, guildId: string | undefined): Reply {
    const denied = this.commandScopeCheck(ctx, guildId);
    if (denied) return denied;
    const errors = validateCommandList([ctx.body]);
    if (!errors.empty) return invalidFormBody((errors.tree['0'] as FormErrorTree | undefined) ?? errors.tree);
    const [stored] = this.storeCommands(guildId ?? 'global', [ctx.body as Json], false);
    if (!stored) return ERRORS.internal;
    return { status: 201, body: this.apiCommand(stored, guildId) };
  }

  /** The registered command a user would pick: the server's own first, then the global one (only global ones outside a server). */
  findCommand(guildId: string | null, name: string, type: number): { id: string; guildId?: string; body: Json } | undefined {
    const match = (c: StoredCommand): boolean => c.body.name === name && (c.body.type ?? 1) === type;
    const guildCommand = guildId === null ? undefined : this.commandStore.get(guildId)?.find(match);
    if (guildCommand) return { id: guildCommand.id, guildId: guildId as string, body: guildCommand.body };
    const global = this.commandStore.get('global')?.find(match);
    return global ? { id: global.id, body: global.body } : undefined;
  }
}
