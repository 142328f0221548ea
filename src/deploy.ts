/**
 * Registers the slash commands with one bulk overwrite (PUT), globally or to
 * one guild. Running it twice changes nothing: Discord matches by name.
 */
import { REST } from 'discord.js';
import { Routes, type RESTGetAPIApplicationCommandsResult, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';

export interface DeployOptions {
  readonly token: string;
  readonly apiBase: string;
  readonly applicationId: string;
  readonly guildId?: string | undefined;
  readonly commands: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
}

export async function deployCommands(o: DeployOptions): Promise<RESTGetAPIApplicationCommandsResult> {
  const rest = new REST({ api: o.apiBase }).setToken(o.token);
  const route = o.guildId ? Routes.applicationGuildCommands(o.applicationId, o.guildId) : Routes.applicationCommands(o.applicationId);
  return (await rest.put(route, { body: o.commands })) as RESTGetAPIApplicationCommandsResult;
}
