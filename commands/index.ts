/**
 * Every command the bot offers, listed explicitly: this list is what
 * `npm run deploy-commands` registers and what the bot and console answer.
 */
import type { Command } from '../src/interactions/types.js';
import about from './about.js';
import daily from './daily.js';
import quiz from './quiz.js';
import quote from './quote.js';
import source from './source.js';
import themes from './themes.js';
import voice from './voice.js';

export const commands: readonly Command[] = [quote, source, themes, voice, about, daily, quiz];

