/**
 * A command's options, typed from its own definition (as Yuudachi's
 * `ArgumentsOf`): `ArgumentsOf<typeof data>` maps each option's declared type
 * to the value the handler gets (string, number, boolean, channel, role),
 * `required: true` to a present value, and subcommands to a union tagged by
 * the subcommand's name. `readArguments` checks a request against the same
 * definition at run time (Discord enforces it, the console and tests may
 * not), so handlers read typed values and never cast.
 */
import { ApplicationCommandOptionType as Type } from 'discord-api-types/v10';
import { hasKey, t } from '../i18n/index.js';
import type { CommandRequest, OptionValue } from './types.js';

export type ChannelOption = Extract<OptionValue, { kind: 'channel' }>;
export type RoleOption = Extract<OptionValue, { kind: 'role' }>;

/** The part of an option definition the types are read from. */
interface OptionDefinition {
  readonly type: Type;
  readonly name: string;
  readonly required?: boolean;
  readonly options?: readonly OptionDefinition[];
}

type ValueOf<O> = O extends { readonly type: Type.String }
  ? string
  : O extends { readonly type: Type.Integer | Type.Number }
    ? number
    : O extends { readonly type: Type.Boolean }
      ? boolean
      : O extends { readonly type: Type.Channel }
        ? ChannelOption
        : O extends { readonly type: Type.Role }
          ? RoleOption
          : never;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

export type OptionsOf<Os> = Os extends readonly OptionDefinition[]
  ? Flatten<
      { readonly [O in Os[number] as O extends { readonly required: true } ? O['name'] : never]: ValueOf<O> } & {
        readonly [O in Os[number] as O extends { readonly required: true } ? never : O['name']]?: ValueOf<O>;
      }
    >
  : Record<string, never>;

/** A subcommand's arguments, named as requests name it: `set`, or `syllabus add` for one in a group. */
type SubcommandArguments<S, Prefix extends string = ''> = S extends { readonly type: Type.Subcommand; readonly name: infer N extends string }
  ? { readonly subcommand: `${Prefix}${N}`; readonly options: OptionsOf<S extends { readonly options: infer Os } ? Os : undefined> }
  : S extends { readonly type: Type.SubcommandGroup; readonly name: infer G extends string; readonly options: infer Ss extends readonly OptionDefinition[] }
    ? SubcommandArguments<Ss[number], `${G} `>
    : never;

export type ArgumentsOf<D extends { readonly options?: readonly OptionDefinition[] }> = D extends { readonly options: infer Os extends readonly OptionDefinition[] }
  ? [Extract<Os[number], { readonly type: Type.Subcommand | Type.SubcommandGroup }>] extends [never]
    ? { readonly subcommand: null; readonly options: OptionsOf<Os> }
    : SubcommandArguments<Os[number]>
  : { readonly subcommand: null; readonly options: Record<string, never> };

export type ArgumentsResult<D extends { readonly options?: readonly OptionDefinition[] }> =
  | { readonly ok: true; readonly args: ArgumentsOf<D> }
  | { readonly ok: false; readonly error: string };

function fits(definition: OptionDefinition, value: OptionValue): boolean {
  switch (definition.type) {
    case Type.String:
      return typeof value === 'string';
    case Type.Integer:
      return typeof value === 'number' && Number.isInteger(value);
    case Type.Number:
      return typeof value === 'number' && Number.isFinite(value);
    case Type.Boolean:
      return typeof value === 'boolean';
    case Type.Channel:
      return typeof value === 'object' && value.kind === 'channel';
    case Type.Role:
      return typeof value === 'object' && value.kind === 'role';
    default:
      return false;
  }
}

/** The request's options as the definition declares them, or a sentence saying which one is missing or of the wrong kind. */
export function readArguments<D extends { readonly name: string; readonly options?: readonly OptionDefinition[] }>(
  data: D,
  request: Pick<CommandRequest, 'subcommand' | 'options' | 'language'>,
): ArgumentsResult<D> {
  const language = request.language ?? 'en';
  // Option names as the reader's Discord shows them (`commands.<command>[.options.<subcommand>].options.<option>.name`).
  let path = `commands.${data.name}`;
  const optionName = (name: string) => {
    const key = `${path}.options.${name}.name`;
    return hasKey(language, key) ? t(language, key) : name;
  };
  /** A subcommand's (or group's) name under the groups before it. */
  const optionNameAt = (groups: readonly string[], name: string) => {
    const key = `commands.${data.name}${groups.map((g) => `.options.${g}`).join('')}.options.${name}.name`;
    return hasKey(language, key) ? t(language, key) : name;
  };
  // Subcommands by the name a request gives them: `set`, or `syllabus add` for one in a group.
  const subcommands = (data.options ?? []).flatMap((o): { name: string; path: string[]; options: readonly OptionDefinition[] }[] =>
    o.type === Type.Subcommand
      ? [{ name: o.name, path: [o.name], options: o.options ?? [] }]
      : o.type === Type.SubcommandGroup
        ? (o.options ?? []).map((sub) => ({ name: `${o.name} ${sub.name}`, path: [o.name, sub.name], options: sub.options ?? [] }))
        : [],
  );
  let definitions = data.options ?? [];
  if (subcommands.length > 0) {
    const chosen = subcommands.find((s) => s.name === request.subcommand);
    const shown = (s: (typeof subcommands)[number]) => s.path.map((part, i) => optionNameAt([...s.path.slice(0, i)], part)).join(' ');
    if (!chosen) return { ok: false, error: t(language, 'errors.arguments.subcommand', { command: hasKey(language, `commands.${data.name}.name`) ? t(language, `commands.${data.name}.name`) : data.name, subcommands: subcommands.map((s) => `\`${shown(s)}\``).join(', ') }) };
    definitions = chosen.options;
    path = `${path}${chosen.path.map((part) => `.options.${part}`).join('')}`;
  }
  const options: Record<string, OptionValue> = {};
  for (const definition of definitions) {
    const value = request.options[definition.name];
    if (value === undefined) {
      if (definition.required) return { ok: false, error: t(language, 'errors.arguments.required', { option: optionName(definition.name) }) };
      continue;
    }
    if (!fits(definition, value)) return { ok: false, error: t(language, 'errors.arguments.kind', { option: optionName(definition.name) }) };
    options[definition.name] = value;
  }
  return { ok: true, args: { subcommand: subcommands.length > 0 ? request.subcommand : null, options } as unknown as ArgumentsOf<D> };
}
