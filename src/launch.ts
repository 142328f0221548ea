/**
 * `npm run main`: the bot when a Discord token is configured (environment or
 * .env), otherwise the offline console, so the project does something useful
 * on a fresh machine.
 */
import dotenv from 'dotenv';

dotenv.config({ quiet: true });
if (process.env.DISCORD_TOKEN?.trim()) {
  await import('./main.js').then((m) => m.runFromCommandLine());
} else {
  console.error('No DISCORD_TOKEN is set, so this is the offline console (set one in .env to run the bot; see README).');
  const { main } = await import('./console/main.js');
  process.exitCode = await main(process.argv.slice(2));
}
