/**
 * Discord's localizations for a command definition: every name, description
 * and choice in Russian and Ukrainian from `locales/`, keyed by the English
 * names (`commands.<command>.options.<option>…`). Discord shows them by the
 * user's client language and still sends the English names, so handlers,
 * console and tests are unchanged.
 */
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { localizations } from '../src/i18n/index.js';

type Node = { name: string; description?: string; options?: readonly Node[]; choices?: readonly { name: string; value: string | number }[] };

function localizeNode(node: Node, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...node,
    name_localizations: localizations(`${key}.name`),
    ...(node.description !== undefined ? { description_localizations: localizations(`${key}.description`) } : {}),
  };
  if (node.options) out.options = node.options.map((o) => localizeNode(o, `${key}.options.${o.name}`));
  if (node.choices) out.choices = node.choices.map((c) => ({ ...c, name_localizations: localizations(`${key}.choices.${String(c.value)}`) }));
  return out;
}

export function localizeCommand(data: RESTPostAPIChatInputApplicationCommandsJSONBody): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return localizeNode(data as Node, `commands.${data.name}`) as unknown as RESTPostAPIChatInputApplicationCommandsJSONBody;
}
