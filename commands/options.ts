/** Reading option values of a request, typed. */
import type { AutocompleteRequest, CommandRequest } from '../src/interactions/types.js';

type WithOptions = Pick<CommandRequest | AutocompleteRequest, 'options'>;

export function stringOption(request: WithOptions, name: string): string | undefined {
  const v = request.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function intOption(request: WithOptions, name: string): number | undefined {
  const v = request.options[name];
  return typeof v === 'number' ? v : undefined;
}

export function boolOption(request: WithOptions, name: string): boolean | undefined {
  const v = request.options[name];
  return typeof v === 'boolean' ? v : undefined;
}
