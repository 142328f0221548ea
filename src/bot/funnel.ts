/**
 * The one place every interaction passes through: route, time, answer, log.
 * A handler that throws is logged with the interaction id and the user gets
 * exactly one polite ephemeral message, never two and never silence.
 */
import { MessageFlags, type Interaction } from 'discord.js';
import { languageOf, t } from '../i18n/index.js';
import type { Dispatcher } from '../interactions/dispatch.js';
import type { Reply } from '../interactions/types.js';
import type { Logger } from '../log.js';
import { limitViolations } from '../message/limits.js';
import { autocompleteRequest, buttonRequest, commandRequest } from './adapt.js';
import { toReplyOptions } from './payload.js';
import { sendReply } from './respond.js';

/** Discord allows 3 s for the first answer; defer well before that if a handler is still working. */
export const DEFER_AFTER_MS = 1500;


export interface FunnelOptions {
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  readonly clock?: () => Date;
  readonly deferAfterMs?: number;
}

export function createInteractionHandler(options: FunnelOptions): (interaction: Interaction) => Promise<void> {
  const { dispatcher, log } = options;
  const clock = options.clock ?? (() => new Date());
  const deferAfter = options.deferAfterMs ?? DEFER_AFTER_MS;

  return async (interaction) => {
    const started = performance.now();
    const base = { interaction: interaction.id, guild: interaction.guildId, user: interaction.user.id };

    if (interaction.isAutocomplete()) {
      try {
        const choices = dispatcher.autocomplete(autocompleteRequest(interaction, clock()));
        await interaction.respond(choices);
        log.debug({ ...base, command: interaction.commandName, kind: 'autocomplete', choices: choices.length, ms: elapsed(started) }, 'autocomplete');
      } catch (err) {
        log.warn({ ...base, command: interaction.commandName, kind: 'autocomplete', err }, 'autocomplete failed');
      }
      return;
    }
    if (!interaction.isChatInputCommand() && !interaction.isButton()) return;

    const command = interaction.isChatInputCommand() ? interaction.commandName : (dispatcher.buttonOwner(interaction.customId) ?? 'unknown');
    const kind = interaction.isChatInputCommand() ? 'command' : 'button';
    const ephemeral = dispatcher.commands.find((c) => c.data.name === command)?.ephemeral === true;
    // If the handler is slow (a Discord call, a busy database), acknowledge in time and answer after.
    let deferring: Promise<unknown> | null = null;
    const deferTimer = setTimeout(() => {
      const defer = interaction.isButton() ? interaction.deferUpdate() : interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
      deferring = defer.catch((err: unknown) => log.warn({ ...base, command, err }, 'could not defer'));
    }, deferAfter);
    // An answer must not race a deferral still on its way to Discord.
    const settle = async () => {
      clearTimeout(deferTimer);
      if (deferring) await deferring;
    };
    let outcome = 'ok';
    try {
      const reply: Reply = interaction.isChatInputCommand()
        ? await dispatcher.command(commandRequest(interaction, clock()))
        : await dispatcher.button(buttonRequest(interaction, clock()));
      await settle();
      const violations = limitViolations(reply.payload);
      if (violations.length > 0) throw new Error(`reply breaks Discord's limits: ${violations.join('; ')}`);
      await sendReply(interaction, reply);
      if ((reply.payload.flags ?? 0) & MessageFlags.Ephemeral) outcome = 'ephemeral';
    } catch (err) {
      await settle();
      outcome = 'error';
      log.error({ ...base, command, kind, err }, 'interaction failed');
      await apologise(interaction, log);
    } finally {
      log.info({ ...base, command, kind, outcome, ms: elapsed(started) }, 'interaction');
    }
  };
}

async function apologise(interaction: Interaction, log: Logger): Promise<void> {
  if (!interaction.isRepliable()) return;
  const message = toReplyOptions({ content: t(languageOf(interaction.locale), 'errors.sorry'), flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } });
  try {
    if (interaction.replied || interaction.deferred) await interaction.followUp(message);
    else await interaction.reply(message);
  } catch (err) {
    log.warn({ interaction: interaction.id, err }, 'could not send the apology either');
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
