/**
 * The request-body checks Discord performs on messages, interaction callbacks
 * and command registrations, answered with Discord's own error shape:
 *
 *   400 { code: 50035, message: 'Invalid Form Body',
 *         errors: { embeds: { '0': { title: { _errors: [{ code, message }] } } } } }
 *
 * Only the limits a bot can realistically trip over are checked (lengths and
 * counts from https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * and the component docs); the codes/messages are the ones Discord returns
 * (BASE_TYPE_MAX_LENGTH "Must be N or fewer in length.", MAX_EMBED_SIZE_EXCEEDED
 * "Embed size exceeds maximum size of 6000", ...). Anything not checked here is
 * accepted, so a green test is not proof Discord would accept every payload.
 */

type Json = Record<string, unknown>;

/** One `_errors` entry, as Discord writes it. */
export interface FieldError {
  readonly code: string;
  readonly message: string;
}

/** Nested `{ key: { '0': { _errors: [...] } } }` tree. */
export interface FormErrorTree {
  _errors?: FieldError[];
  [key: string]: FormErrorTree | FieldError[] | undefined;
}

/** Collects errors at paths and renders Discord's nested `errors` object. */
export class FormErrors {
  readonly tree: FormErrorTree = {};
  private count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const k = String(key);
      const next = node[k];
      if (next === undefined || Array.isArray(next)) {
        const created: FormErrorTree = {};
        node[k] = created;
        node = created;
      } else {
        node = next;
      }
    }
    (node._errors ??= []).push({ code, message });
    this.count += 1;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Prefix every error with `prefix` (interaction callbacks nest the message under `data`). */
  nestedUnder(prefix: string): FormErrorTree {
    return { [prefix]: this.tree };
  }
}

const maxLength = (n: number): [string, string] => ['BASE_TYPE_MAX_LENGTH', `Must be ${n} or fewer in length.`];
const badLength = (min: number, max: number): [string, string] => [
  'BASE_TYPE_BAD_LENGTH',
  `Must be between ${min} and ${max} in length.`,
];
const REQUIRED: [string, string] = ['BASE_TYPE_REQUIRED', 'This field is required'];

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowComponents: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectPlaceholder: 150,
  selectOptionText: 100,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceStringValue: 100,
} as const;

/** IS_COMPONENTS_V2: such messages use a different component tree we do not validate. */
const COMPONENTS_V2_FLAG = 1 << 15;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strLen(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/** Check one text field: required (non-empty) and/or maximum length. */
function checkText(
  errors: FormErrors,
  path: (string | number)[],
  value: unknown,
  max: number,
  required = false,
): void {
  if (value === undefined || value === null || value === '') {
    if (required) errors.add(path, ...REQUIRED);
    return;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    return;
  }
  if (value.length > max) errors.add(path, ...maxLength(max));
}

function validateEmbeds(errors: FormErrors, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    errors.add(['embeds'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (embeds.length > LIMITS.embeds) errors.add(['embeds'], ...maxLength(LIMITS.embeds));
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    if (!isObject(embed)) return;
    checkText(errors, ['embeds', i, 'title'], embed.title, LIMITS.embedTitle);
    checkText(errors, ['embeds', i, 'description'], embed.description, LIMITS.embedDescription);
    total += strLen(embed.title) + strLen(embed.description);
    if (isObject(embed.footer)) {
      checkText(errors, ['embeds', i, 'footer', 'text'], embed.footer.text, LIMITS.embedFooterText, true);
      total += strLen(embed.footer.text);
    }
    if (isObject(embed.author)) {
      checkText(errors, ['embeds', i, 'author', 'name'], embed.author.name, LIMITS.embedAuthorName, true);
      total += strLen(embed.author.name);
    }
    if (Array.isArray(embed.fields)) {
      if (embed.fields.length > LIMITS.embedFields) errors.add(['embeds', i, 'fields'], ...maxLength(LIMITS.embedFields));
      embed.fields.forEach((field: unknown, j) => {
        if (!isObject(field)) return;
        checkText(errors, ['embeds', i, 'fields', j, 'name'], field.name, LIMITS.embedFieldName, true);
        checkText(errors, ['embeds', i, 'fields', j, 'value'], field.value, LIMITS.embedFieldValue, true);
        total += strLen(field.name) + strLen(field.value);
      });
    }
  });
  // The 6000 budget is shared by all embeds of one message, and reported on
  // the list itself rather than on one embed.
  if (total > LIMITS.embedTotal) {
    errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${LIMITS.embedTotal}`);
  }
}

function validateComponents(errors: FormErrors, components: unknown, flags: number): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    errors.add(['components'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (flags & COMPONENTS_V2_FLAG) return;
  if (components.length > LIMITS.actionRows) errors.add(['components'], ...maxLength(LIMITS.actionRows));
  const seenCustomIds = new Set<string>();
  components.forEach((row: unknown, i) => {
    if (!isObject(row) || row.type !== 1) {
      errors.add(['components', i, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
      return;
    }
    const children = Array.isArray(row.components) ? (row.components as unknown[]) : [];
    if (children.length < 1 || children.length > LIMITS.rowComponents) {
      errors.add(['components', i, 'components'], ...badLength(1, LIMITS.rowComponents));
    }
    children.forEach((child: unknown, j) => {
      if (!isObject(child)) return;
      const path = ['components', i, 'components', j];
      if (child.type === 2) {
        checkText(errors, [...path, 'label'], child.label, LIMITS.buttonLabel);
        // Link (5) and premium (6) buttons carry no custom_id; the others must.
        if (child.style !== 5 && child.style !== 6) {
          checkText(errors, [...path, 'custom_id'], child.custom_id, LIMITS.customId, true);
        } else if (child.style === 5) {
          checkText(errors, [...path, 'url'], child.url, 512, true);
        }
      } else if (child.type === 3 || (typeof child.type === 'number' && child.type >= 5 && child.type <= 8)) {
        // A select menu fills its whole row.
        if (children.length > 1) {
          errors.add(path, 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
        }
        checkText(errors, [...path, 'custom_id'], child.custom_id, LIMITS.customId, true);
        checkText(errors, [...path, 'placeholder'], child.placeholder, LIMITS.selectPlaceholder);
        if (child.type === 3) {
          const options = Array.isArray(child.options) ? (child.options as unknown[]) : [];
          if (options.length < 1 || options.length > LIMITS.selectOptions) {
            errors.add([...path, 'options'], ...badLength(1, LIMITS.selectOptions));
          }
          options.forEach((option: unknown, k) => {
            if (!isObject(option)) return;
            checkText(errors, [...path, 'options', k, 'label'], option.label, LIMITS.selectOptionText, true);
            checkText(errors, [...path, 'options', k, 'value'], option.value, LIMITS.selectOptionText, true);
            checkText(errors, [...path, 'options', k, 'description'], option.description, LIMITS.selectOptionText);
          });
        }
      }
      if (typeof child.custom_id === 'string') {
        if (seenCustomIds.has(child.custom_id)) {
          errors.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
        }
        seenCustomIds.add(child.custom_id);
      }
    });
  });
}

/** Form errors of a message create/edit body (content, embeds, components). */
export function validateMessageBody(body: Json): FormErrors {
  const errors = new FormErrors();
  checkText(errors, ['content'], body.content, LIMITS.content);
  validateEmbeds(errors, body.embeds);
  validateComponents(errors, body.components, typeof body.flags === 'number' ? body.flags : 0);
  return errors;
}

/** Form errors of an autocomplete result (`{ choices: [...] }`). */
export function validateAutocompleteChoices(data: Json): FormErrors {
  const errors = new FormErrors();
  const choices = data.choices;
  if (!Array.isArray(choices)) {
    errors.add(['choices'], ...REQUIRED);
    return errors;
  }
  if (choices.length > LIMITS.autocompleteChoices) errors.add(['choices'], ...maxLength(LIMITS.autocompleteChoices));
  choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) return;
    const name = choice.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > LIMITS.choiceName) {
      errors.add(['choices', i, 'name'], ...badLength(1, LIMITS.choiceName));
    }
    if (typeof choice.value === 'string') {
      checkText(errors, ['choices', i, 'value'], choice.value, LIMITS.choiceStringValue);
    } else if (typeof choice.value !== 'number') {
      errors.add(['choices', i, 'value'], ...REQUIRED);
    }
  });
  return errors;
}

/**
 * Whether a message would have nothing to show (Discord answers 50006
 * "Cannot send an empty message"). Files count as content.
 */
export function isEmptyMessage(message: Json, fileCount: number): boolean {
  const has = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : Boolean(value));
  return (
    !has(message.content) &&
    !has(message.embeds) &&
    !has(message.components) &&
    !has(message.sticker_ids) &&
    !has(message.poll) &&
    !has(message.attachments) &&
    fileCount === 0
  );
}

// Command names: lowercase letters/digits/-_' in any script, 1..32 chars.
const COMMAND_NAME = /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateCommandOptions(errors: FormErrors, path: (string | number)[], options: unknown): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    errors.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (options.length > 25) errors.add(path, ...maxLength(25));
  let seenOptional = false;
  const names = new Set<string>();
  options.forEach((option: unknown, i) => {
    if (!isObject(option)) return;
    const p = [...path, i];
    if (typeof option.name !== 'string' || !COMMAND_NAME.test(option.name)) {
      errors.add([...p, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    } else if (names.has(option.name)) {
      errors.add([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists');
    } else {
      names.add(option.name);
    }
    if (typeof option.description !== 'string' || option.description.length < 1 || option.description.length > 100) {
      errors.add([...p, 'description'], ...badLength(1, 100));
    }
    // Subcommands and groups (types 1 and 2) have no "required"; among plain
    // options required ones must come first.
    if (option.type !== 1 && option.type !== 2) {
      if (option.required === true && seenOptional) {
        errors.add(
          [...p, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
      }
      if (option.required !== true) seenOptional = true;
    }
    if (Array.isArray(option.choices)) {
      if (option.choices.length > 25) errors.add([...p, 'choices'], ...maxLength(25));
      if (option.autocomplete === true) {
        errors.add(
          [...p, 'autocomplete'],
          'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE',
          'Autocomplete cannot be set with choices',
        );
      }
    }
    validateCommandOptions(errors, [...p, 'options'], option.options);
  });
}

/** Form errors of a bulk-overwrite body (array of commands). */
export function validateCommandList(commands: unknown): FormErrors {
  const errors = new FormErrors();
  if (!Array.isArray(commands)) {
    errors.add([], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return errors;
  }
  const seen = new Set<string>();
  commands.forEach((command: unknown, i) => {
    if (!isObject(command)) {
      errors.add([i], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    const type = typeof command.type === 'number' ? command.type : 1;
    const name = command.name;
    // Only slash commands (type 1) are restricted to lowercase; context-menu names may contain spaces/case.
    const nameOk =
      typeof name === 'string' && (type === 1 ? COMMAND_NAME.test(name) : name.length >= 1 && name.length <= 32);
    if (!nameOk) errors.add([i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    const key = `${type}:${String(name)}`;
    if (seen.has(key)) {
      errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    }
    seen.add(key);
    if (type === 1) {
      const description = command.description;
      if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
        errors.add([i, 'description'], ...badLength(1, 100));
      }
      validateCommandOptions(errors, [i, 'options'], command.options);
    }
  });
  return errors;
}
