/**
 * Validation of a campaign definition (SPEC §7, the body of `POST /campaigns/define` and the
 * file of `tally campaign define`). Pure: it says what is wrong, naming the field the way a
 * reader would point at it in the JSON (`conversion_behaviors[1].window`), or returns the
 * definition with only the fields Tally knows.
 *
 * Unknown fields are refused rather than ignored: a misspelt `conversion_behaviours` silently
 * dropped would define a campaign without conversions, and nobody would notice for weeks.
 */
import type { CampaignDefinition, ConversionBehavior, VariationDefinition } from './campaign.js';
import { CHANNELS, isChannel, type Channel } from './channels.js';

/** SPEC §3: at most four behaviors (A..D = conversions, conversions1..3). */
export const MAX_CONVERSION_BEHAVIORS = 4;
/** SPEC §3: windows in seconds, up to 30 days. */
export const MIN_CONVERSION_WINDOW = 1;
export const MAX_CONVERSION_WINDOW = 2_592_000;
/** Same bound as event ids: an id longer than this is a mistake, not a name. */
export const MAX_DEFINITION_ID_LENGTH = 128;

/** The behavior types of SPEC §3 and the one field each needs beyond `type` and `window`. */
export const CONVERSION_TYPES = {
  'Makes Any Purchase': null,
  'Makes Specific Purchase': 'product',
  'Performs Custom Event': 'custom_event_name',
  'Starts Session': 'app_ids',
  'Opens Email': null,
  'Clicks Email': null,
} as const;

export type ConversionType = keyof typeof CONVERSION_TYPES;

export type DefinitionResult =
  | { readonly ok: true; readonly definition: CampaignDefinition }
  | { readonly ok: false; readonly message: string };

class InvalidDefinition extends Error {}

type Json = Record<string, unknown>;

const TOP_LEVEL_FIELDS = [
  'campaign_id',
  'name',
  'description',
  'is_api_campaign',
  'archived',
  'tags',
  'channels',
  'variations',
  'conversion_behaviors',
];
const VARIATION_FIELDS = ['id', 'name', 'control', 'push_buttons'];

function fail(message: string): never {
  throw new InvalidDefinition(message);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function onlyKnownFields(value: Json, known: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      fail(`${where}${JSON.stringify(key)} is not a known field (known: ${known.join(', ')})`);
    }
  }
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_DEFINITION_ID_LENGTH) {
    fail(`${field} must be a string of 1 to ${MAX_DEFINITION_ID_LENGTH} characters`);
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`${field} must be a string`);
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(`${field} must be true or false`);
  return value;
}

function optionalArray(value: unknown, field: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(`${field} must be an array`);
  return value;
}

function stringList(value: unknown, field: string): string[] | undefined {
  return optionalArray(value, field)?.map((item, i) => {
    if (typeof item !== 'string') fail(`${field}[${i}] must be a string`);
    return item;
  });
}

function channels(value: unknown): Channel[] | undefined {
  const seen = new Set<Channel>();
  return optionalArray(value, 'channels')?.map((item, i) => {
    if (!isChannel(item)) fail(`channels[${i}] must be one of ${CHANNELS.join(', ')}`);
    if (seen.has(item)) fail(`channels[${i}]: ${item} is listed twice`);
    seen.add(item);
    return item;
  });
}

function variations(value: unknown): VariationDefinition[] | undefined {
  const ids = new Set<string>();
  let control: string | undefined;
  return optionalArray(value, 'variations')?.map((item, i) => {
    const where = `variations[${i}]`;
    if (!isObject(item)) fail(`${where} must be an object with an id and a name`);
    onlyKnownFields(item, VARIATION_FIELDS, `${where}.`);
    const variationId = id(item.id, `${where}.id`);
    if (ids.has(variationId)) fail(`${where}.id ${JSON.stringify(variationId)} is used twice`);
    ids.add(variationId);
    // A variation without a name is shown by its id, as Braze does for API-created variations.
    const name = optionalString(item.name, `${where}.name`) ?? variationId;
    const isControl = optionalBoolean(item.control, `${where}.control`) ?? false;
    const pushButtons = buttonList(item.push_buttons, `${where}.push_buttons`);
    if (isControl) {
      if (pushButtons !== undefined)
        fail(`${where}: a control group sends nothing, so it has no push_buttons`);
      if (control !== undefined) {
        fail(
          `${where}: a campaign has at most one control group (${JSON.stringify(control)} is one)`,
        );
      }
      control = variationId;
      return { id: variationId, name, control: true };
    }
    return pushButtons === undefined
      ? { id: variationId, name }
      : { id: variationId, name, push_buttons: pushButtons };
  });
}

/** SPEC §2 "Push button clicks": titles as the `button_string` of push opens, each once. */
function buttonList(value: unknown, field: string): string[] | undefined {
  const titles = stringList(value, field);
  titles?.forEach((title, i) => {
    if (title === '') fail(`${field}[${i}] must be a non-empty string`);
    if (titles.indexOf(title) !== i)
      fail(`${field}[${i}] ${JSON.stringify(title)} is listed twice`);
  });
  return titles;
}

function isConversionType(value: unknown): value is ConversionType {
  return typeof value === 'string' && Object.hasOwn(CONVERSION_TYPES, value);
}

function conversionBehavior(item: unknown, i: number): ConversionBehavior {
  const where = `conversion_behaviors[${i}]`;
  if (!isObject(item)) fail(`${where} must be an object with a type and a window`);
  const { type, window } = item;
  if (!isConversionType(type)) {
    fail(`${where}.type must be one of ${Object.keys(CONVERSION_TYPES).join(', ')}`);
  }
  const extra = CONVERSION_TYPES[type];
  onlyKnownFields(
    item,
    extra === null ? ['type', 'window'] : ['type', 'window', extra],
    `${where}.`,
  );
  if (
    typeof window !== 'number' ||
    !Number.isInteger(window) ||
    window < MIN_CONVERSION_WINDOW ||
    window > MAX_CONVERSION_WINDOW
  ) {
    fail(
      `${where}.window must be an integer from ${MIN_CONVERSION_WINDOW} to ${MAX_CONVERSION_WINDOW}`,
    );
  }
  if (extra === 'product' || extra === 'custom_event_name') {
    const field = item[extra];
    if (typeof field !== 'string' || field === '') {
      fail(`${where}.${extra} is required for "${type}": a non-empty string`);
    }
    return { type, window, [extra]: field };
  }
  if (extra === 'app_ids') {
    // SPEC §3: null (or absent) means any app.
    const appIds = item.app_ids === null ? undefined : stringList(item.app_ids, `${where}.app_ids`);
    return { type, window, app_ids: appIds ?? null };
  }
  return { type, window };
}

function conversionBehaviors(value: unknown): ConversionBehavior[] | undefined {
  const list = optionalArray(value, 'conversion_behaviors');
  if (list && list.length > MAX_CONVERSION_BEHAVIORS) {
    fail(
      `conversion_behaviors has ${list.length} entries; a campaign has at most ${MAX_CONVERSION_BEHAVIORS}`,
    );
  }
  return list?.map(conversionBehavior);
}

/** Drops the optional fields that were absent, so a stored definition reads as it was written. */
function present(definition: Record<string, unknown>): CampaignDefinition {
  return Object.fromEntries(
    Object.entries(definition).filter(([, value]) => value !== undefined),
  ) as unknown as CampaignDefinition;
}

export function validateCampaignDefinition(body: unknown): DefinitionResult {
  try {
    if (!isObject(body)) fail('the campaign definition must be a JSON object');
    onlyKnownFields(body, TOP_LEVEL_FIELDS, '');
    const definition = present({
      campaign_id: id(body.campaign_id, 'campaign_id'),
      name: optionalString(body.name, 'name'),
      description: optionalString(body.description, 'description'),
      is_api_campaign: optionalBoolean(body.is_api_campaign, 'is_api_campaign'),
      archived: optionalBoolean(body.archived, 'archived'),
      tags: stringList(body.tags, 'tags'),
      channels: channels(body.channels),
      variations: variations(body.variations),
      conversion_behaviors: conversionBehaviors(body.conversion_behaviors),
    });
    return { ok: true, definition };
  } catch (error) {
    if (error instanceof InvalidDefinition) return { ok: false, message: error.message };
    throw error;
  }
}
