/**
 * discord.js interactions → the plain requests the handlers take. The only
 * place that knows both worlds.
 */
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type GuildBasedChannel,
  type Role,
} from 'discord.js';
import { languageOf } from '../i18n/index.js';
import type { AutocompleteRequest, ButtonRequest, Caller, CommandRequest, OptionValue } from '../interactions/types.js';

type AnyInteraction = ChatInputCommandInteraction | ButtonInteraction | AutocompleteInteraction;

function caller(i: AnyInteraction): Caller {
  return {
    userId: i.user.id,
    guildId: i.guildId,
    channelId: i.channelId,
    memberPermissions: i.memberPermissions?.bitfield ?? null,
    language: languageOf(i.locale),
  };
}

/** Flattens options; a subcommand's own options come up one level; a group and its subcommand read `syllabus add`. */
function flatten(data: readonly CommandInteractionOption[]): { subcommand: string | null; options: readonly CommandInteractionOption[] } {
  const first = data[0];
  if (first && (first.type === ApplicationCommandOptionType.Subcommand || first.type === ApplicationCommandOptionType.SubcommandGroup)) {
    const inner = flatten(first.options ?? []);
    const group = first.type === ApplicationCommandOptionType.SubcommandGroup;
    return { subcommand: group && inner.subcommand ? `${first.name} ${inner.subcommand}` : (inner.subcommand ?? first.name), options: inner.options };
  }
  return { subcommand: null, options: data };
}

function optionValue(i: AnyInteraction, o: CommandInteractionOption): OptionValue | undefined {
  switch (o.type) {
    case ApplicationCommandOptionType.Channel: {
      const channel = o.channel;
      if (!channel) return undefined;
      const me = i.guild?.members.me ?? null;
      const full = 'guild' in channel ? (channel as GuildBasedChannel) : null;
      const perms = full && me ? (full.permissionsFor(me)?.bitfield ?? null) : null;
      return { kind: 'channel', id: channel.id, name: 'name' in channel && channel.name ? channel.name : channel.id, type: channel.type, botPermissions: perms };
    }
    case ApplicationCommandOptionType.Role: {
      const role = o.role as Role | null | undefined;
      if (!role) return undefined;
      return { kind: 'role', id: role.id, name: role.name, mentionable: Boolean(role.mentionable) };
    }
    default:
      return o.value === undefined || o.value === null ? undefined : (o.value as string | number | boolean);
  }
}

function options(i: AnyInteraction, data: readonly CommandInteractionOption[]): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const o of data) {
    const v = optionValue(i, o);
    if (v !== undefined) out[o.name] = v;
  }
  return out;
}

export function commandRequest(i: ChatInputCommandInteraction, now: Date): CommandRequest {
  const { subcommand, options: data } = flatten(i.options.data);
  return { ...caller(i), commandName: i.commandName, subcommand, options: options(i, data), now };
}

export function autocompleteRequest(i: AutocompleteInteraction, now: Date): AutocompleteRequest {
  const { subcommand, options: data } = flatten(i.options.data);
  const focused = i.options.getFocused(true);
  return { ...caller(i), commandName: i.commandName, subcommand, focused: { name: focused.name, value: String(focused.value ?? '') }, options: options(i, data), now };
}

export function buttonRequest(i: ButtonInteraction, now: Date): ButtonRequest {
  // Who ran the command whose reply carries this button: Discord records it on the message.
  const owner = i.message.interactionMetadata?.user.id ?? i.message.interaction?.user.id ?? null;
  return { ...caller(i), customId: i.customId, messageId: i.message.id, messageOwnerId: owner, now };
}

