/**
 * `npm run deploy-commands`: registers every command of commands/index.ts with
 * one bulk overwrite — to DISCORD_GUILD_ID when set (instant, for
 * development), otherwise globally.
 */
import { REST, Routes } from 'discord.js';
import type { RESTGetCurrentApplicationResult } from 'discord-api-types/v10';
import dotenv from 'dotenv';
import { commands } from '../commands/index.js';
import { localizeCommand } from '../commands/localize.js';
import { applicationIdFromToken, ConfigError, parseConfig, tokenAdvice, tokenProblem } from './config.js';
import { deployCommands } from './deploy.js';
import { isMain } from './paths.js';

export async function runDeploy(env: Record<string, string | undefined>, out: (line: string) => void = console.log): Promise<number> {
  let config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      out(err.message);
      return 2;
    }
    throw err;
  }
  const problem = tokenProblem(config.token);
  if (problem) {
    out(tokenAdvice(problem));
    return 1;
  }
  const token = config.token as string;
  try {
    const applicationId =
      applicationIdFromToken(token) ??
      ((await new REST({ api: config.apiBase }).setToken(token).get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
    const registered = await deployCommands({ token, apiBase: config.apiBase, applicationId, guildId: config.guildId, commands: commands.map((c) => localizeCommand(c.data)) });
    out(`Registered ${registered.length} commands ${config.guildId ? `in server ${config.guildId}` : 'globally (they can take up to an hour to appear everywhere)'}: ${registered.map((c) => `/${c.name}`).join(', ')}`);
    return 0;
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    out(status === 401 ? tokenAdvice('refused') : `Could not register the commands: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (isMain(import.meta.url)) {
  dotenv.config({ quiet: true });
  process.exitCode = await runDeploy(process.env);
}
