/**
 * Sends a handler's Reply through a discord.js interaction, choosing reply,
 * update, editReply or followUp by what the interaction still allows.
 */
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type InteractionReplyOptions } from 'discord.js';
import type { Reply } from '../interactions/types.js';
import { EPHEMERAL, type MessagePayload } from '../message/payload.js';

type Repliable = ChatInputCommandInteraction | ButtonInteraction;

/** The discord.js form of our API payload (discord.js spells allowed mentions in camelCase). */
export function toDiscordJs(payload: MessagePayload): InteractionReplyOptions {
  return {
    ...(payload.content !== undefined ? { content: payload.content } : {}),
    embeds: payload.embeds ?? [],
    components: payload.components ?? [],
    allowedMentions: { parse: [], roles: payload.allowed_mentions.roles ?? [], users: payload.allowed_mentions.users ?? [] },
    ...((payload.flags ?? 0) & EPHEMERAL ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

export async function sendReply(interaction: Repliable, reply: Reply): Promise<void> {
  const options = toDiscordJs(reply.payload);
  if (reply.type === 'update' && interaction.isButton()) {
    if (interaction.deferred || interaction.replied) {
      const { flags: _ignored, ...edit } = options;
      await interaction.editReply(edit);
    } else {
      // content: '' clears a note the previous page had ("showing close words…") when this page has none.
      await interaction.update({ content: '', ...options, flags: undefined } as Parameters<ButtonInteraction['update']>[0]);
    }
    return;
  }
  const privateReply = ((reply.payload.flags ?? 0) & EPHEMERAL) !== 0;
  if (interaction.replied) {
    await interaction.followUp(options);
  } else if (interaction.deferred && privateReply && !interaction.ephemeral && interaction.isChatInputCommand()) {
    // Deferred in public, answered in private (a refusal, say): the public "thinking…" goes, the answer stays private.
    await interaction.deleteReply();
    await interaction.followUp(options);
  } else if (interaction.deferred) {
    // A button deferred as an update has no reply of its own to edit: answer separately.
    if (interaction.isButton()) await interaction.followUp(options);
    else {
      const { flags: _ignored, ...edit } = options;
      await interaction.editReply(edit);
    }
  } else {
    await interaction.reply(options);
  }
}
