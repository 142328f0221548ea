/**
 * Parses a console line like `/quote collective farms theme:nep` into the
 * request Discord would send: named options as `name:value` (quote values
 * with spaces), and the rest of the line as the first text option.
 */
import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord-api-types/v10';
import type { Command, OptionValue } from '../interactions/types.js';

export interface ParsedLine {
  readonly commandName: string;
  readonly subcommand: string | null;
  readonly options: Record<string, OptionValue>;
}

export type ParseResult = { ok: true; line: ParsedLine } | { ok: false; error: string };

export interface ParseContext {
  /** The server the line is run in: its @everyone role has the server's id, as in Discord. */
  readonly guildId?: string | null;
}

/** Discord's integer options: a plain whole number, nothing Number() would also read (1e1, 0x10, 2.0). */
const PLAIN_INTEGER = /^[-+]?\d+$/;
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const SNOWFLAKE = /^\d{17,20}$/;

export function parseLine(input: string, commands: readonly Command[], context: ParseContext = {}): ParseResult {
  const m = /^\/(\S+)\s*([\s\S]*)$/.exec(input.trim());
  if (!m) return { ok: false, error: 'Commands start with a slash, e.g. /quote nep' };
  const name = (m[1] ?? '').toLowerCase();
  let rest = m[2] ?? '';
  const command = commands.find((c) => c.data.name === name);
  if (!command) return { ok: false, error: `There is no command /${name}. Commands: ${commands.map((c) => `/${c.data.name}`).join(', ')}` };

  let optionDefs: readonly APIApplicationCommandOption[] = command.data.options ?? [];
  let subcommand: string | null = null;
  // Subcommands, and groups of them (`/daily syllabus add`): each level takes the next word.
  for (let prefix = ''; ; ) {
    const subs = optionDefs.filter((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
    if (subs.length === 0) break;
    const sm = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim());
    const sub = subs.find((s) => s.name === sm?.[1]?.toLowerCase());
    if (!sub) return { ok: false, error: `/${name}${prefix ? ` ${prefix}` : ''} needs one of: ${subs.map((s) => s.name).join(', ')}` };
    prefix = prefix ? `${prefix} ${sub.name}` : sub.name;
    subcommand = prefix;
    rest = sm?.[2] ?? '';
    optionDefs = 'options' in sub ? ((sub.options ?? []) as readonly APIApplicationCommandOption[]) : [];
  }

  const options: Record<string, OptionValue> = {};
  const names = optionDefs.map((o) => o.name);
  // name:value, name:"value with spaces", name:“value”
  const named = new RegExp(`(?:^|\\s)(${names.map(escapeRe).join('|') || '(?!)'}):(?:"([^"]*)"|“([^”]*)”|(\\S+))`, 'gi');
  const positional = rest.replace(named, (_all, key: string, q1?: string, q2?: string, bare?: string) => {
    options[key.toLowerCase()] = q1 ?? q2 ?? bare ?? '';
    return ' ';
  });
  const text = positional.trim();
  // What looks like name:value but names no option of this command would silently become search words.
  const stray = /(?:^|\s)([A-Za-z][\w-]*):(?=["“]|[^\s/])/.exec(text);
  if (stray) {
    const where = `/${name}${subcommand ? ` ${subcommand}` : ''}`;
    const valid = names.length > 0 ? ` Its options are ${names.join(', ')}.` : ' It takes no options.';
    // Only where free text is a search (the query of /quote), not a setting such as /daily set's time.
    const freeText = subcommand ? undefined : optionDefs.find((o) => o.type === ApplicationCommandOptionType.String || o.type === ApplicationCommandOptionType.Integer);
    const asText = freeText?.type === ApplicationCommandOptionType.String ? ` To search for words with a colon, quote them: ${freeText.name}:"${stray[1]}:…".` : '';
    return { ok: false, error: `${where} has no option ${stray[1]}.${valid}${asText}` };
  }
  if (text) {
    // Free text always fills the command's first text option (the query of /quote, n of /source).
    const target = optionDefs.find((o) => o.type === ApplicationCommandOptionType.String || o.type === ApplicationCommandOptionType.Integer);
    if (!target) return { ok: false, error: `/${name} takes no free text; use name:value options (${names.join(', ') || 'none'})` };
    if (target.name in options) return { ok: false, error: `${target.name} is given twice: write it either as ${target.name}:… or as free text` };
    options[target.name] = text;
  }

  for (const def of optionDefs) {
    const raw = options[def.name];
    if (raw === undefined) {
      if ('required' in def && def.required) return { ok: false, error: `/${name}${subcommand ? ` ${subcommand}` : ''} needs ${def.name}` };
      continue;
    }
    const value = String(raw);
    switch (def.type) {
      case ApplicationCommandOptionType.Integer:
      case ApplicationCommandOptionType.Number: {
        const whole = def.type === ApplicationCommandOptionType.Integer;
        const n = Number(value.trim());
        if (!(whole ? PLAIN_INTEGER : PLAIN_NUMBER).test(value.trim()) || !Number.isSafeInteger(whole ? n : Math.trunc(n))) {
          return { ok: false, error: `${def.name} must be a ${whole ? 'whole number' : 'number'}` };
        }
        const min = 'min_value' in def ? def.min_value : undefined;
        const max = 'max_value' in def ? def.max_value : undefined;
        if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
          return { ok: false, error: `${def.name} must be ${min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`}` };
        }
        options[def.name] = n;
        break;
      }
      case ApplicationCommandOptionType.Boolean: {
        const yes = /^(true|yes|1|on)$/i.test(value);
        if (!yes && !/^(false|no|0|off)$/i.test(value)) return { ok: false, error: `${def.name} must be true or false` };
        options[def.name] = yes;
        break;
      }
      case ApplicationCommandOptionType.Channel: {
        const id = value.replace(/^<#|>$/g, '').replace(/^#/, '');
        options[def.name] = { kind: 'channel', id, name: id, type: 0, botPermissions: null };
        break;
      }
      case ApplicationCommandOptionType.Role: {
        // Discord's role picker offers @everyone too: its id is the server's.
        if (/^@?everyone$/i.test(value) && context.guildId) {
          options[def.name] = { kind: 'role', id: context.guildId, name: '@everyone', mentionable: false };
          break;
        }
        const id = value.replace(/^<@&|>$/g, '').replace(/^@/, '');
        if (!SNOWFLAKE.test(id)) return { ok: false, error: `${def.name} must be a role, written <@&id> or as its id (17–20 digits)` };
        options[def.name] = { kind: 'role', id, name: id, mentionable: false };
        break;
      }
      default:
        options[def.name] = value;
    }
  }
  return { ok: true, line: { commandName: name, subcommand, options } };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
