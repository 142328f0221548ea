/**
 * Sends a handler's Reply through a discord.js interaction, choosing reply,
 * update, editReply or followUp by what the interaction still allows.
 */
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { Reply } from '../interactions/types.js';
import { EPHEMERAL } from '../message/payload.js';
import { toReplyOptions } from './payload.js';

type Repliable = ChatInputCommandInteraction | ButtonInteraction;

export async function sendReply(interaction: Repliable, reply: Reply): Promise<void> {
  const messageId = await send(interaction, reply);
  await reply.sent?.(messageId);
}

/** Sends the reply; the id of the message it created or edited, when Discord says. */
async function send(interaction: Repliable, reply: Reply): Promise<string | null> {
  const options = toReplyOptions(reply.payload);
  if (reply.type === 'update' && interaction.isButton()) {
    if (interaction.deferred || interaction.replied) {
      const { flags: _ignored, ...edit } = options;
      await interaction.editReply(edit);
    } else {
      // content: '' clears a note the previous page had ("showing close words…") when this page has none.
      await interaction.update({ content: '', ...options, flags: undefined } as Parameters<ButtonInteraction['update']>[0]);
    }
    if (reply.followUp) await interaction.followUp(toReplyOptions(reply.followUp));
    return interaction.message.id;
  }
  if (reply.sent && !interaction.replied && !interaction.deferred) {
    // Whoever needs the new message's id (a quiz, to close its post after the 15-minute token) gets it from the callback.
    const response = await interaction.reply({ ...options, withResponse: true });
    return response.resource?.message?.id ?? null;
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
  if (!reply.sent) return null;
  return (await interaction.fetchReply()).id;
}
