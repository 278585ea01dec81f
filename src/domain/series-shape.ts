/**
 * Shapes a store's series cells into the Braze answer of SPEC §5:
 * `{"message":"success","data":[day, ...]}`, one day per date of the range, oldest first,
 * every field present (0 when nothing happened).
 *
 * Key order inside objects follows SPEC §5's listing, which matches Braze's documented examples
 * (labels first, then the channel's metrics, then revenue, recipients and conversions):
 * - day:          time, messages, conversions..conversions3_by_send_time, unique_recipients, revenue
 * - multichannel: variation_api_id, <channel metrics in catalog order>
 * - multivariate: variation_name, variation_api_id, <channel metrics>, revenue, unique_recipients,
 *                 conversions..conversions3_by_send_time
 * - control:      variation_name, variation_api_id, enrolled, revenue, unique_recipients,
 *                 conversions..conversions3_by_send_time
 * (conversion fields in CONVERSION_FIELDS order.)
 *
 * Speed: each cell goes straight to its slot through index maps (no scans), and every object
 * is built in one step from a compiled literal (see ObjectShape), so the work is linear in
 * days × channels × variations plus cells.
 */
import { PUSH_CHANNELS, sortChannels, type Channel } from './channels.js';
import { channelMetrics, PUSH_BUTTON_METRIC } from './catalog.js';
import { isMultivariate, pushButtonKey, type Campaign } from './campaign.js';
import { CONVERSION_FIELDS, type SeriesCell } from './series.js';
import type { DayRange } from './time.js';
import { formatDay } from './time.js';

export type SeriesKind = 'campaign' | 'send';

/** The shape of a (non-control) variation's entries: SPEC §5's multichannel or multivariate. */
export type VariationEntryKind = 'multichannel' | 'multivariate';

/** One entry of a `messages` array: string labels and numeric figures. */
export type SeriesEntry = Record<string, string | number>;

/** The numeric figures of a day, after `time` and `messages`. */
export const DAY_FIGURES = [...CONVERSION_FIELDS, 'unique_recipients', 'revenue'] as const;
export type DayFigure = (typeof DAY_FIGURES)[number];

export type DayEntry = {
  readonly time: string;
  readonly messages: Partial<Record<Channel, SeriesEntry[]>>;
} & Record<DayFigure, number>;

export interface SeriesAnswer {
  readonly message: 'success';
  readonly data: DayEntry[];
}

/** The flat (non-`messages`) fields of a day, in answer order. */
export const DAY_FIELDS = ['time', ...DAY_FIGURES] as const;

const NAME = 'variation_name';
const API_ID = 'variation_api_id';
const VARIATION_EXTRAS = ['revenue', 'unique_recipients', ...CONVERSION_FIELDS] as const;

/** Every field of a control entry, in answer order; the same in every channel. */
export const CONTROL_FIELDS: readonly string[] = [NAME, API_ID, 'enrolled', ...VARIATION_EXTRAS];

const fieldCache = new Map<string, readonly string[]>();

/** Every field of a variation's entry of that kind on that channel, in answer order. */
export function variationFields(kind: VariationEntryKind, channel: Channel): readonly string[] {
  const key = `${kind}:${channel}`;
  let fields = fieldCache.get(key);
  if (!fields) {
    fields =
      kind === 'multivariate'
        ? [NAME, API_ID, ...channelMetrics(channel), ...VARIATION_EXTRAS]
        : [API_ID, ...channelMetrics(channel)];
    fieldCache.set(key, fields);
  }
  return fields;
}

/**
 * The numeric fields of a variation's entry on a channel, each with the metric its cells carry
 * (a push button's key is `push_button:<title>`), in answer order.
 */
export function entryFigures(
  campaign: Campaign,
  series: SeriesKind,
  channel: Channel,
  variation: Campaign['variations'][number],
): ReadonlyMap<string, string> {
  const fields = variation.control
    ? CONTROL_FIELDS
    : variationFields(variationEntryKind(campaign, series), channel);
  const figures = new Map(
    fields.filter((field) => field !== NAME && field !== API_ID).map((f) => [f, f] as const),
  );
  if (!variation.control && PUSH_CHANNELS.includes(channel)) {
    variation.pushButtons.forEach((title, n) => {
      figures.set(pushButtonKey(n, title), PUSH_BUTTON_METRIC + title);
    });
  }
  return figures;
}

/** The kind of a (non-control) variation's entries: send series always carry the extras. */
export function variationEntryKind(campaign: Campaign, series: SeriesKind): VariationEntryKind {
  return series === 'send' || isMultivariate(campaign) ? 'multivariate' : 'multichannel';
}

/**
 * How to build one kind of object fast. Cells are first summed into a Float64Array, each object
 * owning a block of it with one slot per numeric field; `make` is then compiled to
 * `(first, second, values, at) => ({ "field": values[at + i], ... })`, an object literal with
 * every key in answer order. V8 builds a literal from a boilerplate in tens of nanoseconds,
 * while adding 20+ keys one by one to `{}` turns the object into a slow dictionary
 * (microseconds each, thousands of entries per answer). The generated source holds only
 * JSON-quoted field names from this module and the catalog, never request data.
 */
interface ObjectShape {
  /** Slot of each numeric field within the object's block of values. */
  readonly slots: ReadonlyMap<string, number>;
  readonly make: (
    first: unknown,
    second: unknown,
    values: Float64Array,
    at: number,
  ) => Record<string, unknown>;
}

/** `labels` names the fields taken from the first two arguments; the rest are numeric slots. */
function compileShape(
  fields: readonly string[],
  labels: Readonly<Record<string, 'first' | 'second'>>,
): ObjectShape {
  const slots = new Map<string, number>();
  const properties = fields.map((field) => {
    const label = Object.hasOwn(labels, field) ? labels[field] : undefined;
    if (label) return `${JSON.stringify(field)}: ${label}`;
    slots.set(field, slots.size);
    return `${JSON.stringify(field)}: values[at + ${slots.size - 1}]`;
  });
  const make = new Function(
    'first',
    'second',
    'values',
    'at',
    `return { ${properties.join(', ')} };`,
  );
  return { slots, make: make as ObjectShape['make'] };
}

const ENTRY_LABELS = { [NAME]: 'first', [API_ID]: 'second' } as const;
const DAY_SHAPE = compileShape(['time', 'messages', ...DAY_FIGURES], {
  time: 'first',
  messages: 'second',
});
const CONTROL_SHAPE = compileShape(CONTROL_FIELDS, ENTRY_LABELS);
const variationShapes = new Map<string, ObjectShape>();

function variationShape(kind: VariationEntryKind, channel: Channel): ObjectShape {
  const key = `${kind}:${channel}`;
  let shape = variationShapes.get(key);
  if (!shape) {
    shape = compileShape(variationFields(kind, channel), ENTRY_LABELS);
    variationShapes.set(key, shape);
  }
  return shape;
}

/**
 * The answer of `/campaigns/data_series` (`kind` 'campaign') or `/sends/data_series` ('send').
 * Cells outside the range, of a channel or variation the campaign does not list, or of a
 * field the entry does not report are left out; cells naming the same field add up.
 */
export function shapeSeries(input: {
  readonly campaign: Campaign;
  readonly range: DayRange;
  readonly cells: readonly SeriesCell[];
  readonly kind: SeriesKind;
}): SeriesAnswer {
  const { campaign, range, cells, kind } = input;
  const dayCount = Math.max(0, range.lastDay - range.firstDay + 1);
  const channels = sortChannels(campaign.channels);
  const variations = campaign.variations.filter((v) => !v.control);
  const controls = campaign.variations.filter((v) => v.control);
  const shapes = channels.map((channel) =>
    variationShape(variationEntryKind(campaign, kind), channel),
  );
  const channelIndex = new Map(channels.map((channel, i) => [channel, i]));
  const variationIndex = new Map(variations.map((v, i) => [v.id, i]));
  const controlIndex = new Map(controls.map((v, i) => [v.id, i]));

  // Value blocks: a day's variation entries lie channel after channel, variation after
  // variation; controls and day figures have blocks of their own.
  const V = variations.length;
  const K = controls.length;
  const widths = shapes.map((shape) => shape.slots.size);
  const channelBase: number[] = [];
  let dayStride = 0;
  for (const width of widths) {
    channelBase.push(dayStride);
    dayStride += V * width;
  }
  const controlWidth = CONTROL_SHAPE.slots.size;
  const dayWidth = DAY_SHAPE.slots.size;
  const entryValues = new Float64Array(dayCount * dayStride);
  const controlValues = new Float64Array(dayCount * K * controlWidth);
  const dayValues = new Float64Array(dayCount * dayWidth);
  // Push button clicks (SPEC §2): keys of their own per variation, after the entry's fields.
  const buttonClicks = new Map<string, number>();
  const buttonCell = (d: number, c: number, v: number, title: string) => `${d}:${c}:${v}:${title}`;

  for (const cell of cells) {
    const d = cell.day - range.firstDay;
    if (!(d >= 0 && d < dayCount)) continue;
    if (cell.channel === null) {
      if (cell.variationId === null) {
        const slot = DAY_SHAPE.slots.get(cell.metric);
        if (slot !== undefined) dayValues[d * dayWidth + slot]! += cell.value;
      } else {
        const k = controlIndex.get(cell.variationId);
        const slot = CONTROL_SHAPE.slots.get(cell.metric);
        if (k === undefined || slot === undefined) continue;
        controlValues[(d * K + k) * controlWidth + slot]! += cell.value;
      }
    } else {
      const c = channelIndex.get(cell.channel);
      const v = cell.variationId === null ? undefined : variationIndex.get(cell.variationId);
      if (c === undefined || v === undefined) continue;
      const slot = shapes[c]!.slots.get(cell.metric);
      if (slot === undefined) {
        if (cell.metric.startsWith(PUSH_BUTTON_METRIC)) {
          const key = buttonCell(d, c, v, cell.metric.slice(PUSH_BUTTON_METRIC.length));
          buttonClicks.set(key, (buttonClicks.get(key) ?? 0) + cell.value);
        }
        continue;
      }
      entryValues[d * dayStride + channelBase[c]! + v * widths[c]! + slot]! += cell.value;
    }
  }

  const data: DayEntry[] = [];
  for (let d = 0; d < dayCount; d++) {
    const messages: Partial<Record<Channel, SeriesEntry[]>> = {};
    channels.forEach((channel, c) => {
      const at = d * dayStride + channelBase[c]!;
      const push = PUSH_CHANNELS.includes(channel);
      const entries = variations.map((v, i) => {
        const entry = shapes[c]!.make(
          v.name,
          v.id,
          entryValues,
          at + i * widths[c]!,
        ) as SeriesEntry;
        if (push) {
          v.pushButtons.forEach((title, n) => {
            entry[pushButtonKey(n, title)] = buttonClicks.get(buttonCell(d, c, i, title)) ?? 0;
          });
        }
        return entry;
      });
      // Same numbers in every channel (SPEC §5), but an object of its own in each, so no two
      // keys of the answer share an object that a caller might change.
      controls.forEach((v, k) => {
        entries.push(
          CONTROL_SHAPE.make(
            v.name,
            v.id,
            controlValues,
            (d * K + k) * controlWidth,
          ) as SeriesEntry,
        );
      });
      messages[channel] = entries;
    });
    data.push(
      DAY_SHAPE.make(formatDay(range.firstDay + d), messages, dayValues, d * dayWidth) as DayEntry,
    );
  }
  return { message: 'success', data };
}
