/**
 * Discord's JSON shapes for roles, channels, members and GUILD_CREATE, built
 * from the world's state (REST answers, gateway events and interactions all
 * use these, so a channel looks the same wherever the bot meets it).
 */
import { ChannelType } from 'discord-api-types/v10';
import { isThread, type ChannelState, type GuildState, type Json, type MemberState, type RoleState } from './state.js';

export function apiRole(role: RoleState): Json {
  return {
    id: role.id,
    name: role.name,
    description: null,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: role.mentionable,
    flags: 0,
  };
}

/** A channel object; GUILD_CREATE omits guild_id on its channels, REST and events include it. */
export function apiChannel(channel: ChannelState, withGuildId: boolean): Json {
  const out: Json = {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    position: channel.position,
    parent_id: channel.parentId,
    flags: 0,
  };
  if (withGuildId) out.guild_id = channel.guildId;
  if (isThread(channel.type) && channel.thread) {
    Object.assign(out, {
      owner_id: channel.thread.ownerId,
      last_message_id: channel.lastMessageId,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: channel.thread.autoArchiveDuration,
        archive_timestamp: channel.thread.createdAt,
        locked: false,
        create_timestamp: channel.thread.createdAt,
      },
    });
    delete out.position;
    return out;
  }
  Object.assign(out, {
    permission_overwrites: channel.overwrites.map((o) => ({
      id: o.id,
      type: o.type,
      allow: o.allow.toString(),
      deny: o.deny.toString(),
    })),
    nsfw: channel.nsfw,
  });
  if (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement) {
    Object.assign(out, {
      topic: channel.topic,
      last_message_id: channel.lastMessageId,
      rate_limit_per_user: 0,
      default_auto_archive_duration: 1440,
      default_thread_rate_limit_per_user: 0,
      last_pin_timestamp: null,
    });
  }
  return out;
}

export function apiMember(member: MemberState, withUser = true): Json {
  const out: Json = {
    roles: member.roles,
    nick: member.nick,
    avatar: null,
    banner: null,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (withUser) out.user = member.user;
  return out;
}

export function guildCreatePayload(guild: GuildState): Json {
  const channels = [...guild.channels.values()];
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: guild.preferredLocale,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    features: [],
    roles: [...guild.roles.values()].map((r) => apiRole(r)),
    emojis: [],
    stickers: [],
    soundboard_sounds: [],
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    lazy: true,
    member_count: guild.members.size,
    // Only the bot and configured members: Discord sends at least the bot's
    // own member, which discord.js needs for guild.members.me.
    members: [...guild.members.values()].map((m) => apiMember(m)),
    channels: channels.filter((c) => !isThread(c.type)).map((c) => apiChannel(c, false)),
    threads: channels.filter((c) => isThread(c.type)).map((c) => apiChannel(c, true)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    embedded_activities: [],
    incidents_data: null,
  };
}
