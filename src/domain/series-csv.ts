/**
 * The series answer (series-shape.ts) as CSV for spreadsheets (`format=csv`, docs/api.md):
 * one row per day × channel × entry (variations, then the control group), in answer order.
 *
 * Columns: `time`, `channel`, `entry` (`variation` or `control`), then every entry field of the
 * campaign's channels in answer order (first appearance wins; a field an entry doesn't report
 * is empty), then the day-level figures prefixed `day_` and repeated on each row of the day,
 * so a pivot table can sum entry figures and read day figures without a join. A day of a
 * campaign with no channel still gets one row (channel and entry empty), so no day is lost.
 */
import type { Campaign } from './campaign.js';
import {
  CONTROL_FIELDS,
  DAY_FIELDS,
  variationEntryKind,
  variationFields,
  type SeriesAnswer,
  type SeriesKind,
} from './series-shape.js';
import { sortChannels } from './channels.js';

const DAY_FIGURES = DAY_FIELDS.filter((field) => field !== 'time');

/**
 * RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a formula: variation
 * and campaign names come from events, which anyone holding an events key can write.
 */
function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function seriesCsv(answer: SeriesAnswer, campaign: Campaign, kind: SeriesKind): string {
  const channels = sortChannels(campaign.channels);
  const entryKind = variationEntryKind(campaign, kind);
  const hasControl = campaign.variations.some((v) => v.control);
  const entryFields = new Set<string>();
  for (const channel of channels) {
    for (const field of variationFields(entryKind, channel)) entryFields.add(field);
  }
  if (hasControl) for (const field of CONTROL_FIELDS) entryFields.add(field);
  const entryColumns = [...entryFields];
  const header = [
    'time',
    'channel',
    'entry',
    ...entryColumns,
    ...DAY_FIGURES.map((f) => `day_${f}`),
  ];

  const lines = [header.join(',')];
  for (const day of answer.data) {
    const dayCells = DAY_FIGURES.map((field) => cell(day[field]));
    const rows = channels.flatMap((channel) =>
      (day.messages[channel] ?? []).map((entry) => [
        channel,
        // Control entries are the only ones that report `enrolled` (SPEC §5).
        'enrolled' in entry ? 'control' : 'variation',
        ...entryColumns.map((field) => cell(entry[field])),
      ]),
    );
    if (rows.length === 0) rows.push(['', '', ...entryColumns.map(() => '')]);
    for (const row of rows) lines.push([day.time, ...row, ...dayCells].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
