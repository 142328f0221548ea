/**
 * Posts the voice of the day through discord.js, and says how a failure
 * should be treated: permanent (channel gone, permission lost: pause and tell
 * the admins), or worth retrying later in the day (Discord 5xx, network).
 * Rate limits are absorbed by discord.js's REST queue, which waits them out.
 */
import { DiscordAPIError, HTTPError, RESTJSONErrorCodes, ThreadAutoArchiveDuration, type Client } from 'discord.js';
import type { Corpus } from '../corpus/types.js';
import type { DeliveryJob, DeliveryResult, PostOptions, Poster } from '../daily/ports.js';
import type { Logger } from '../log.js';
import { dailyPostMessage, threadName, threadOpener } from '../render/daily.js';
import { dailyQuizMessage, quizThreadName, quizThreadOpener } from '../render/quiz.js';
import { limitViolations } from '../message/limits.js';
import { toMessageOptions } from './payload.js';

const PERMANENT: ReadonlyMap<number, string> = new Map([
  [RESTJSONErrorCodes.UnknownChannel, 'the channel no longer exists'],
  [RESTJSONErrorCodes.MissingAccess, 'the bot can no longer see the channel (Missing Access)'],
  [RESTJSONErrorCodes.MissingPermissions, 'the bot lacks permission to post there (Missing Permissions)'],
  [RESTJSONErrorCodes.UnknownGuild, 'the bot is no longer in this server'],
]);

/** How a failed Discord call should be treated. */
export function classify(err: unknown): Extract<DeliveryResult, { error: string }> {
  if (err instanceof DiscordAPIError) {
    const reason = typeof err.code === 'number' ? PERMANENT.get(err.code) : undefined;
    if (reason) return { error: reason, retryable: false, permanent: true };
    if (err.status === 404) return { error: 'the channel was not found', retryable: false, permanent: true };
    if (err.status >= 500 || err.status === 429) return { error: `Discord answered ${err.status}`, retryable: true };
    return { error: `Discord refused the post (${err.status} ${err.code}: ${err.message})`, retryable: false };
  }
  if (err instanceof HTTPError) return { error: `Discord answered ${err.status}`, retryable: true };
  return { error: `could not reach Discord (${err instanceof Error ? err.message : String(err)})`, retryable: true };
}

export class DiscordPoster implements Poster {
  constructor(
    private readonly client: Client,
    private readonly corpus: Corpus,
    private readonly log: Logger,
  ) {}

  async post(job: DeliveryJob, options: PostOptions = {}): Promise<DeliveryResult> {
    const quote = this.corpus.byId.get(job.quoteId);
    if (!quote) return { error: `quote ${job.quoteId} is not in the corpus`, retryable: false };
    // A quiz day posts the quiz: the speaker stays hidden until the closer reveals it at the end of the day.
    const payload = options.quiz
      ? dailyQuizMessage(this.corpus, options.quiz.quiz, options.quiz.tally, { roleId: job.roleId })
      : dailyPostMessage(this.corpus, quote, { localDate: job.localDate, roleId: options.test ? null : job.roleId, test: options.test === true, language: job.language });
    const over = limitViolations(payload);
    // Discord would refuse it every time: say so once, plainly, instead of retrying all day.
    if (over.length > 0) return { error: `the post of ${quote.id} breaks Discord's limits (${over.join('; ')})`, retryable: false };
    let messageId: string;
    try {
      const channel = await this.client.channels.fetch(job.channelId);
      if (!channel || !channel.isTextBased() || !('send' in channel)) return { error: 'the channel is not a text channel any more', retryable: false, permanent: true };
      // The day's nonce with enforce_nonce: a retry after a lost outcome gets back the message Discord
      // already created instead of a second one. Test posts never carry it (they must not stand in for the day's post).
      const nonce = job.nonce !== undefined && !options.test ? { nonce: job.nonce, enforceNonce: true } : {};
      const message = await channel.send({ ...toMessageOptions(payload), ...nonce });
      messageId = message.id;
      if (job.thread && !options.test) {
        // The post has gone out; a thread that fails is reported, never a reason to post again.
        try {
          // A quiz day's thread is neutral: the voice's themed name and question would hint at the hidden speaker.
          const quiz = options.quiz?.quiz;
          const name = quiz ? quizThreadName(quiz) : threadName(this.corpus, quote, job.localDate, job.language);
          const opener = quiz ? quizThreadOpener(quiz) : threadOpener(this.corpus, quote, job.language);
          const thread = await message.startThread({ name, autoArchiveDuration: ThreadAutoArchiveDuration.OneDay });
          await thread.send(toMessageOptions(opener));
        } catch (err) {
          this.log.warn({ guild: job.guildId, channel: job.channelId, err }, 'daily: posted, but could not open the discussion thread');
        }
      }
    } catch (err) {
      const result = classify(err);
      this.log.warn({ guild: job.guildId, channel: job.channelId, date: job.localDate, attempt: job.attempt, error: result.error }, 'daily: delivery failed');
      return result;
    }
    return { messageId };
  }
}
