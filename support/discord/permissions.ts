/**
 * Discord's permission arithmetic, as the stand-in needs it to decide whether
 * the bot may post somewhere and to fill `app_permissions` / `member.permissions`
 * in interactions.
 *
 * It must agree with discord.js's own `GuildChannel#permissionsFor`, otherwise a
 * bot that checks `permissionsFor(me)` before posting would see one answer and
 * the stand-in would enforce another. Both follow
 * https://discord.com/developers/docs/topics/permissions#permission-overwrites:
 * owner → everything; base = @everyone | member roles; ADMINISTRATOR → everything;
 * then @everyone overwrite, role overwrites (all denies, then all allows), member
 * overwrite. Like discord.js (and unlike the Discord client UI) we do not strip
 * "implicit" permissions here; the REST checks ask for the exact bits they need.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';

/** Every permission bit discord-api-types knows about. */
export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a role or overwrite may be configured with: a bigint bitfield or its decimal string. */
export type PermissionInput = bigint | string | number;

export function toPermissionBits(value: PermissionInput | undefined): bigint {
  if (value === undefined) return 0n;
  return typeof value === 'bigint' ? value : BigInt(value);
}

/** One permission overwrite on a channel: type 0 = role, 1 = member. */
export interface Overwrite {
  readonly id: string;
  readonly type: 0 | 1;
  readonly allow: bigint;
  readonly deny: bigint;
}

/** The minimal guild view the computation needs. */
export interface PermissionGuild {
  readonly id: string;
  readonly ownerId: string;
  /** role id → permissions; must contain the @everyone role (id = guild id). */
  readonly rolePermissions: ReadonlyMap<string, bigint>;
}

/** Guild-wide permissions of a member, before channel overwrites. */
export function basePermissions(guild: PermissionGuild, userId: string, memberRoleIds: readonly string[]): bigint {
  if (userId === guild.ownerId) return ALL_PERMISSIONS;
  let permissions = guild.rolePermissions.get(guild.id) ?? 0n;
  for (const roleId of memberRoleIds) permissions |= guild.rolePermissions.get(roleId) ?? 0n;
  if (permissions & PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  return permissions;
}

/** Permissions of a member in a channel whose (effective) overwrites are `overwrites`. */
export function channelPermissions(
  guild: PermissionGuild,
  overwrites: readonly Overwrite[],
  userId: string,
  memberRoleIds: readonly string[],
): bigint {
  const base = basePermissions(guild, userId, memberRoleIds);
  // Owners and administrators get ALL_PERMISSIONS from basePermissions (which
  // includes the Administrator bit); overwrites cannot take anything away.
  if (base & PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;

  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type === 0 && overwrite.id !== guild.id && memberRoleIds.includes(overwrite.id)) {
      roleAllow |= overwrite.allow;
      roleDeny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~roleDeny) | roleAllow;

  const member = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;
  return permissions;
}

/** Names of the bits in `required` that `granted` lacks, for readable error details. */
export function missingPermissionNames(granted: bigint, required: bigint): string[] {
  return Object.entries(PermissionFlagsBits)
    .filter(([, bit]) => (required & bit) !== 0n && (granted & bit) === 0n)
    .map(([name]) => name);
}

/** Discord's default @everyone permissions in a new server (roughly: read, write, embed, threads, voice). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.Stream |
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.MentionEveryone |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak |
  PermissionFlagsBits.UseVAD |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.CreatePrivateThreads |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.UseExternalStickers;
