/**
 * What the historical chart can show: every figure of every channel entry (`email.unique_opens`,
 * one line per variation and, for conversion figures, the control group) and the day-level
 * figures (`day.revenue`, one line). Read from the answer itself, so push buttons and channels
 * first seen in events are there too.
 */
import type { SeriesDay } from '../../src/domain/rates.js';
import { sendsMetric } from '../../src/domain/rates.js';
import type { Channel } from '../../src/domain/channels.js';
import type { ChartLine } from './components/TimeChart.js';
import type { ExplainRequest, ExplainScope, FigureRef } from './explain.js';
import { channelLabel, labelOf } from './format.js';

export interface ChartMetric {
  readonly key: string;
  readonly label: string;
  readonly group: string;
}

const LABELS = new Set(['variation_name', 'variation_api_id']);
const DAY_LEVEL = 'day';

export function chartMetrics(days: readonly SeriesDay[]): ChartMetric[] {
  const first = days[0];
  if (!first) return [];
  const metrics: ChartMetric[] = [];
  for (const [channel, entries] of Object.entries(first.messages)) {
    const fields = new Set<string>();
    for (const entry of entries ?? []) {
      for (const field of Object.keys(entry)) if (!LABELS.has(field)) fields.add(field);
    }
    for (const field of fields) {
      metrics.push({
        key: `${channel}.${field}`,
        label: labelOf(field),
        group: channelLabel(channel),
      });
    }
  }
  for (const field of Object.keys(first)) {
    if (field === 'time' || field === 'messages') continue;
    metrics.push({ key: `${DAY_LEVEL}.${field}`, label: labelOf(field), group: 'Whole campaign' });
  }
  return metrics;
}

/** The first channel's sends: what a campaign page shows first. */
export function defaultMetric(days: readonly SeriesDay[]): string | null {
  const channel = Object.keys(days[0]?.messages ?? {})[0] as Channel | undefined;
  return channel
    ? `${channel}.${sendsMetric(channel)}`
    : days[0]
      ? `${DAY_LEVEL}.unique_recipients`
      : null;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The figure a chart line of `metric` (`channel.field` or `day.field`) draws. */
export function lineFigure(metric: string, line: ChartLine): FigureRef {
  const { scope, field } = splitMetric(metric);
  const where = scope === DAY_LEVEL ? 'Whole campaign' : `${channelLabel(scope)} · ${line.label}`;
  return {
    metric: field,
    channel: scope === DAY_LEVEL ? null : scope,
    variationId: line.variationId,
    label: `${where} · ${labelOf(field)}`,
  };
}

/** What a click on a chart's point asks to explain: that line's figure on that day. */
export function pointRequest(
  metric: string | null,
  line: ChartLine | undefined,
  day: SeriesDay | undefined,
  scope: ExplainScope,
): ExplainRequest | null {
  if (!metric || !line || !day) return null;
  const figure = lineFigure(metric, line);
  return { title: `${figure.label} on ${day.time}`, figures: [figure], days: [day], scope };
}

/** `email.unique_opens` → its scope (a channel, or `day`) and the answer's field. */
function splitMetric(metric: string): { scope: string; field: string } {
  const dot = metric.indexOf('.');
  return { scope: metric.slice(0, dot), field: metric.slice(dot + 1) };
}

export function chartLines(
  days: readonly SeriesDay[],
  metric: string,
  nameOf: (variationId: string) => string,
): ChartLine[] {
  const { scope, field } = splitMetric(metric);
  if (scope === DAY_LEVEL) {
    return [
      {
        label: 'campaign',
        control: false,
        variationId: null,
        values: days.map((day) => numberOrNull(day[field])),
      },
    ];
  }
  const entries = days[0]?.messages[scope as Channel] ?? [];
  return entries
    .filter((entry) => field in entry)
    .map((entry) => {
      const id = String(entry.variation_api_id);
      const control = 'enrolled' in entry;
      return {
        label: typeof entry.variation_name === 'string' ? entry.variation_name : nameOf(id),
        control,
        variationId: id,
        values: days.map((day) =>
          numberOrNull(
            day.messages[scope as Channel]?.find((e) => e.variation_api_id === id)?.[field],
          ),
        ),
      };
    });
}
