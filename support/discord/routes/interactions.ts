/**
 * The interaction response endpoints: `POST /interactions/:id/:token/callback`
 * (the 3 s deadline, one acknowledgement, the callback types each interaction
 * allows, `?with_response=true`) and the auth-less webhook routes behind the
 * token (follow-ups, GET/PATCH/DELETE of @original and follow-ups), recording
 * what the user first sees.
 */
import { InteractionResponseType, InteractionType, MessageFlags, type APIMessage } from 'discord-api-types/v10';
import { ERRORS, invalidFormBody, type Reply } from '../errors.js';
import { route, type Route, type RouteContext, type UploadedFile } from '../http.js';
import type { MessageStore } from '../messages.js';
import { INTERACTION_TOKEN_LIFETIME_MS, isObject, type InteractionState, type Json, type World } from '../state.js';
import type { CallbackRecord, InteractionResponse, WebhookCallRecord } from '../types.js';
import { validateAutocompleteChoices } from '../validation.js';

/** Follow-up messages Discord allows an interaction only a user install authorizes. */
export const MAX_USER_INSTALL_FOLLOW_UPS = 5;

export class InteractionResponses {
  constructor(
    private readonly world: World,
    private readonly store: MessageStore,
  ) {}

  routes(): Route[] {
    return [
      route('POST', '/interactions/:interactionId/:token/callback', false, (c) => this.onCallback(c)),
      route('POST', '/webhooks/:appId/:token', false, (c) => this.onWebhook('POST', c)),
      route('GET', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('GET', c)),
      route('PATCH', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('PATCH', c)),
      route('DELETE', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('DELETE', c)),
    ];
  }

  private onCallback(ctx: RouteContext): Reply {
    const { interactionId = '', token = '' } = ctx.params;
    const state = this.world.interactions.get(interactionId);
    const body = isObject(ctx.body) ? ctx.body : {};
    const type = typeof body.type === 'number' ? body.type : undefined;
    const data = isObject(body.data) ? body.data : undefined;
    const withResponse = ctx.query.get('with_response') === 'true';
    const record: CallbackRecord = {
      interactionId,
      type,
      data,
      withResponse,
      status: 0,
      at: state ? this.world.elapsed(state.dispatchedAt) : this.world.elapsed(),
    };
    this.world.callbacks.push(record);
    const reply = this.handleCallback(state, token, type, data, ctx.files, withResponse);
    record.status = reply.status;
    if (reply.status >= 400) record.error = reply.body;
    if (state) this.notify(state);
    return reply;
  }

  private handleCallback(
    state: InteractionState | undefined,
    token: string,
    type: number | undefined,
    data: Json | undefined,
    files: UploadedFile[],
    withResponse: boolean,
  ): Reply {
    if (!state || state.token !== token) return ERRORS.unknownInteraction;
    // Discord forgets an interaction that was not acknowledged in time.
    if (!state.callback && performance.now() - state.dispatchedAt > state.deadlineMs) return ERRORS.unknownInteraction;
    if (state.callback) return ERRORS.alreadyAcknowledged;

    const allowed =
      state.type === InteractionType.ApplicationCommandAutocomplete
        ? [InteractionResponseType.ApplicationCommandAutocompleteResult]
        : state.type === InteractionType.MessageComponent
          ? [4, 5, 6, 7, 9]
          : [4, 5, 9];
    if (type === undefined || !allowed.includes(type)) {
      // Approximation: Discord refuses callback types the interaction does not support with a form error on `type`.
      const message = `Value must be one of {${allowed.join(', ')}}.`;
      return invalidFormBody({ type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message }] } });
    }
    const channel = this.world.findChannel(state.channelId);
    if (!channel) return ERRORS.unknownChannel;
    const at = this.world.elapsed(state.dispatchedAt);
    const ephemeralRequested = (typeof data?.flags === 'number' && (data.flags & MessageFlags.Ephemeral) !== 0) || state.forcedEphemeral;
    let message: APIMessage | null = null;

    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const invalid = this.store.checkMessageBody(data ?? {}, files, 'data');
        if (invalid) return invalid;
        message = this.store.createMessage({ channel, body: data ?? {}, files, ephemeral: ephemeralRequested, interaction: state });
        state.originalId = message.id;
        this.makeVisible(state, { callbackType: type, message, ephemeral: ephemeralRequested, via: 'callback', at });
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        message = this.store.createMessage({ channel, body: {}, files: [], ephemeral: ephemeralRequested, loading: true, interaction: state });
        state.originalId = message.id;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate: {
        state.originalId = state.componentMessageId;
        break;
      }
      case InteractionResponseType.UpdateMessage: {
        const target = state.componentMessageId ? this.world.messages.get(state.componentMessageId) : undefined;
        if (!target) return ERRORS.unknownMessage;
        const resulting = { ...(target as unknown as Json), ...(data ?? {}) };
        const invalid = this.store.checkMessageBody(data ?? {}, files, 'data', resulting);
        if (invalid) return invalid;
        this.store.editMessage(target, data ?? {}, files);
        state.originalId = target.id;
        message = target;
        this.makeVisible(state, {
          callbackType: type,
          message: target,
          ephemeral: ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
          via: 'callback',
          at,
        });
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const errors = validateAutocompleteChoices(data ?? {});
        if (!errors.empty) return invalidFormBody(errors.nestedUnder('data'));
        const choices = (data?.choices ?? []) as { name: string; value: string | number }[];
        this.makeVisible(state, { callbackType: type, choices, via: 'callback', at });
        break;
      }
      case InteractionResponseType.Modal: {
        this.makeVisible(state, { callbackType: type, modal: data ?? null, via: 'callback', at });
        break;
      }
    }
    state.callback = { type, at };

    if (!withResponse) return { status: 204 };
    // The `?with_response=true` shape (InteractionCallbackResponse).
    const interaction: Json = { id: state.id, type: state.type };
    const original = state.originalId ? this.world.messages.get(state.originalId) : undefined;
    if (original) {
      interaction.response_message_id = original.id;
      interaction.response_message_loading = ((original.flags ?? 0) & MessageFlags.Loading) !== 0;
      interaction.response_message_ephemeral = ((original.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    }
    const resource: Json = { type };
    if (message) resource.message = message;
    return { status: 200, body: { interaction, resource } };
  }

  private onWebhook(method: string, ctx: RouteContext): Reply {
    const { appId = '', token = '', messageId } = ctx.params;
    const state = this.world.interactionsByToken.get(token);
    const record: WebhookCallRecord = {
      method,
      interactionId: state?.id ?? null,
      messageId: messageId ?? null,
      body: ctx.body,
      query: ctx.query.toString(),
      hadAuth: ctx.hadAuth,
      status: 0,
      at: state ? this.world.elapsed(state.dispatchedAt) : this.world.elapsed(),
    };
    this.world.webhookCalls.push(record);
    const reply = this.handleWebhook(method, appId, state, messageId, ctx);
    record.status = reply.status;
    if (reply.status >= 400) record.error = reply.body;
    if (state) this.notify(state);
    return reply;
  }

  private handleWebhook(
    method: string,
    appId: string,
    state: InteractionState | undefined,
    messageId: string | undefined,
    ctx: RouteContext,
  ): Reply {
    if (appId !== this.world.applicationId) return ERRORS.unknownWebhook;
    if (!state) return ERRORS.invalidWebhookToken;
    if (performance.now() - state.dispatchedAt > INTERACTION_TOKEN_LIFETIME_MS) return ERRORS.invalidWebhookToken;
    // Nothing exists behind the token until the interaction is acknowledged.
    if (!state.callback) return ERRORS.unknownWebhook;
    const channel = this.world.findChannel(state.channelId);
    if (!channel) return ERRORS.unknownChannel;
    const body = isObject(ctx.body) ? ctx.body : {};
    const at = this.world.elapsed(state.dispatchedAt);

    if (method === 'POST') {
      const invalid = this.store.checkMessageBody(body, ctx.files);
      if (invalid) return invalid;
      const original = state.originalId ? this.world.messages.get(state.originalId) : undefined;
      let message: APIMessage;
      const stillThinking =
        original !== undefined &&
        ((original.flags ?? 0) & MessageFlags.Loading) !== 0 &&
        state.callback.type === InteractionResponseType.DeferredChannelMessageWithSource;
      if (original && stillThinking) {
        // Discord: the first follow-up after a deferred reply fills the
        // "thinking…" message (keeping the defer's ephemerality) instead of
        // posting a new one.
        this.store.editMessage(original, { ...body, flags: undefined }, ctx.files);
        message = original;
      } else {
        // Discord: at most 5 follow-ups when only a user install authorizes the interaction.
        if (state.owners['0'] === undefined && state.followUpIds.length >= MAX_USER_INSTALL_FOLLOW_UPS) return ERRORS.tooManyFollowUps;
        const ephemeral = (typeof body.flags === 'number' && (body.flags & MessageFlags.Ephemeral) !== 0) || state.forcedEphemeral;
        message = this.store.createMessage({ channel, body, files: ctx.files, ephemeral, interaction: state, followUpOf: state.originalId });
        state.followUpIds.push(message.id);
      }
      this.makeVisible(state, {
        callbackType: state.callback.type,
        message,
        ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
        via: 'follow-up',
        at,
      });
      return ctx.query.get('wait') === 'true' ? { status: 200, body: message } : { status: 204 };
    }

    const targetId = messageId === '@original' ? state.originalId : (messageId ?? null);
    const owned = targetId !== null && (targetId === state.originalId || state.followUpIds.includes(targetId));
    const target = owned && targetId ? this.world.messages.get(targetId) : undefined;
    if (!target) return ERRORS.unknownMessage;

    if (method === 'GET') return { status: 200, body: target };
    if (method === 'DELETE') {
      this.store.deleteMessage(target);
      return { status: 204 };
    }
    // PATCH
    const resulting = { ...(target as unknown as Json), ...body };
    const invalid = this.store.checkMessageBody(body, ctx.files, undefined, resulting);
    if (invalid) return invalid;
    this.store.editMessage(target, body, ctx.files);
    if (target.id === state.originalId) {
      this.makeVisible(state, {
        callbackType: state.callback.type,
        message: target,
        ephemeral: ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
        via: 'edit',
        at,
      });
    }
    return { status: 200, body: target };
  }

  /** Record the first thing the user sees; later changes are read through the handle. */
  private makeVisible(
    state: InteractionState,
    visible: Partial<InteractionResponse> & Pick<InteractionResponse, 'callbackType' | 'via' | 'at'>,
  ): void {
    if (state.visible) return;
    state.visible = {
      callbackType: visible.callbackType,
      via: visible.via,
      at: visible.at,
      // A snapshot: later edits are visible through handle.original / followUps.
      message: visible.message ? structuredClone(visible.message) : null,
      ephemeral: visible.ephemeral ?? false,
      choices: visible.choices ?? null,
      modal: visible.modal ?? null,
    };
  }

  private notify(state: InteractionState): void {
    for (const listener of [...state.listeners]) listener.check();
  }
}
