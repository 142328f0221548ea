/**
 * Where a reading command can be used. Installed to a server (guild install)
 * or to a student's own account (user install), in a server, in the DM with the
 * bot and in other private channels (group DMs): the reading commands answer
 * through the interaction alone, so they need nothing of the place.
 * Server-bound commands (`/daily`) declare guild install and servers only.
 */
import { ApplicationIntegrationType, InteractionContextType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';

export const ANYWHERE: Required<Pick<RESTPostAPIChatInputApplicationCommandsJSONBody, 'integration_types' | 'contexts'>> = {
  integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel],
};
