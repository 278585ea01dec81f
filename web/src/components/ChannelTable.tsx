/**
 * One channel's performance over the range: a row per variation and the control group, every
 * metric of the channel, SPEC §8's rates, and (multivariate campaigns) recipients, revenue,
 * each conversion behavior with its rate, and against control: confidence, lift and the 95%
 * winner mark. The table is built as data first (channelTable), so the CSV is what is shown.
 */
import type { Channel } from '../../../src/domain/channels.js';
import {
  applyRate,
  CHANNEL_RATES,
  compareWithControl,
  conversionField,
  ratio,
  type EntryTotals,
} from '../../../src/domain/rates.js';
import { download, toCsv } from '../csv.js';
import type { FigureRef } from '../explain.js';
import { channelLabel, formatFigure, formatLift, formatPercent, labelOf } from '../format.js';

export interface Column {
  readonly key: string;
  readonly label: string;
  /** A heading over several columns (a conversion behavior's). */
  readonly group?: string;
}

/** What explains a number: the figures it is made of (ExplainPanel lists them). */
export interface Explained {
  readonly title: string;
  readonly formula?: string;
  readonly figures: readonly FigureRef[];
}

export interface Cell {
  readonly text: string;
  readonly winner?: boolean;
  readonly explained: Explained;
}

export interface TableRow {
  readonly variationId: string;
  readonly name: string;
  readonly control: boolean;
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface TableModel {
  readonly columns: readonly Column[];
  readonly rows: readonly TableRow[];
}

const LABEL_FIELDS = new Set(['variation_name', 'variation_api_id']);
const ENTRY_EXTRAS = new Set(['revenue', 'unique_recipients', 'enrolled']);
const isConversionField = (field: string): boolean => field.startsWith('conversions');

/** The channel's own metrics, as the answer lists them (push buttons included). */
export function channelFields(entries: readonly EntryTotals[]): string[] {
  const variation = entries.find((entry) => !entry.control);
  if (!variation) return [];
  return Object.keys(variation.figures).filter(
    (field) => !LABEL_FIELDS.has(field) && !ENTRY_EXTRAS.has(field) && !isConversionField(field),
  );
}

export function channelTable(
  channel: Channel,
  entries: readonly EntryTotals[],
  behaviorLabels: readonly string[],
  multivariate: boolean,
): TableModel {
  const fields = channelFields(entries);
  const rates = CHANNEL_RATES[channel];
  const control = entries.find((entry) => entry.control);
  const columns: Column[] = [
    ...fields.map((field) => ({ key: field, label: labelOf(field) })),
    ...rates.map((rule) => ({ key: `rate:${rule.key}`, label: `${rule.label} rate` })),
  ];
  if (multivariate) {
    columns.push(
      {
        key: 'unique_recipients',
        label: control ? 'unique recipients / enrolled' : 'unique recipients',
      },
      { key: 'revenue', label: 'revenue' },
    );
    behaviorLabels.forEach((group, index) => {
      columns.push(
        { key: conversionField(index), label: 'conversions', group },
        { key: `conversion_rate:${index}`, label: 'rate', group },
      );
      if (control) {
        columns.push(
          { key: `confidence:${index}`, label: 'confidence', group },
          { key: `lift:${index}`, label: 'lift', group },
        );
      }
    });
  }
  const rows = entries.map((entry): TableRow => {
    const figures = entry.figures;
    const cells: Record<string, Cell> = {};
    const recipients = entry.control ? (figures.enrolled ?? 0) : (figures.unique_recipients ?? 0);
    const ref = (of: EntryTotals, field: string): FigureRef => ({
      metric: field,
      channel,
      variationId: of.variationId,
      label: `${channelLabel(channel)} · ${of.name} · ${labelOf(field)}`,
    });
    const figure = (field: string): Explained => {
      const only = ref(entry, field);
      return { title: only.label, figures: [only] };
    };
    const recipientsField = entry.control ? 'enrolled' : 'unique_recipients';
    if (!entry.control) {
      for (const field of fields) {
        cells[field] = { text: formatFigure(field, figures[field] ?? 0), explained: figure(field) };
      }
      for (const rule of rates) {
        const inputs = [rule.numerator, rule.denominator, ...(rule.less ? [rule.less] : [])];
        cells[`rate:${rule.key}`] = {
          text: formatPercent(applyRate(rule, figures)),
          explained: {
            title: `${channelLabel(channel)} · ${entry.name} · ${rule.label} rate`,
            formula: `${rule.label} rate = ${labelOf(rule.numerator)} / ${
              rule.less
                ? `(${labelOf(rule.denominator)} − ${labelOf(rule.less)})`
                : labelOf(rule.denominator)
            }`,
            figures: inputs.map((field) => ref(entry, field)),
          },
        };
      }
    }
    if (multivariate) {
      cells.unique_recipients = {
        text: formatFigure('unique_recipients', recipients),
        explained: figure(recipientsField),
      };
      cells.revenue = {
        text: formatFigure('revenue', figures.revenue ?? 0),
        explained: figure('revenue'),
      };
      behaviorLabels.forEach((label, index) => {
        const field = conversionField(index);
        const conversions = figures[field] ?? 0;
        cells[field] = { text: formatFigure('conversions', conversions), explained: figure(field) };
        cells[`conversion_rate:${index}`] = {
          text: formatPercent(ratio(conversions, recipients)),
          explained: {
            title: `${channelLabel(channel)} · ${entry.name} · ${label} rate`,
            formula: `rate = ${labelOf(field)} / ${labelOf(recipientsField)}`,
            figures: [ref(entry, field), ref(entry, recipientsField)],
          },
        };
        if (control && !entry.control) {
          const base = control.figures;
          const comparison = compareWithControl(
            conversions,
            recipients,
            base[field] ?? 0,
            base.enrolled ?? 0,
          );
          const against: Explained = {
            title: `${channelLabel(channel)} · ${entry.name} · ${label} against control`,
            formula: `From this variation's ${labelOf(field)} of its unique recipients and the control group's of its enrolled users (SPEC §8: a two-proportion z-test; lift = rate / control rate − 1).`,
            figures: [
              ref(entry, field),
              ref(entry, 'unique_recipients'),
              ref(control, field),
              ref(control, 'enrolled'),
            ],
          };
          cells[`confidence:${index}`] = {
            text: formatPercent(comparison.confidence),
            winner: comparison.winner,
            explained: against,
          };
          cells[`lift:${index}`] = { text: formatLift(comparison.lift), explained: against };
        }
      });
    }
    return { variationId: entry.variationId, name: entry.name, control: entry.control, cells };
  });
  return { columns, rows };
}

/** Runs of columns under one heading (none: the channel's own columns). */
function headingGroups(columns: readonly Column[]): { group: string | undefined; span: number }[] {
  const groups: { group: string | undefined; span: number }[] = [];
  for (const column of columns) {
    const last = groups[groups.length - 1];
    if (last && last.group === column.group) last.span += 1;
    else groups.push({ group: column.group, span: 1 });
  }
  return groups;
}

export function tableCsv(model: TableModel): string {
  return toCsv([
    [
      'variation',
      'variation_api_id',
      ...model.columns.map((c) => (c.group ? `${c.group}: ${c.label}` : c.label)),
    ],
    ...model.rows.map((row) => [
      row.name,
      row.variationId,
      ...model.columns.map((c) => row.cells[c.key]?.text ?? ''),
    ]),
  ]);
}

export function ChannelTable({
  channel,
  model,
  fileName,
  onExplain,
}: {
  channel: Channel;
  model: TableModel;
  fileName: string;
  onExplain: (explained: Explained) => void;
}) {
  const title = channelLabel(channel);
  return (
    <section class="channel" data-channel={channel} aria-labelledby={`table-${channel}`}>
      <div class="section-head">
        <h2 id={`table-${channel}`}>{title}</h2>
        <button type="button" onClick={() => download(fileName, tableCsv(model))}>
          Download {title} table (CSV)
        </button>
      </div>
      <div class="scroll" tabIndex={0} role="region" aria-label={`${title} performance`}>
        <table class="figures">
          <thead>
            {model.columns.some((column) => column.group) && (
              <tr>
                {headingGroups(model.columns).map(({ group, span }, index) => (
                  <th
                    scope="colgroup"
                    colSpan={span + (index === 0 ? 1 : 0)}
                    key={index}
                    class="group"
                  >
                    {group ?? ''}
                  </th>
                ))}
              </tr>
            )}
            <tr>
              <th scope="col">Variation</th>
              {model.columns.map((column) => (
                <th scope="col" key={column.key}>
                  {column.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {model.rows.map((row) => (
              <tr
                key={row.variationId}
                data-variation={row.variationId}
                class={row.control ? 'control' : ''}
              >
                <th scope="row">{row.name}</th>
                {model.columns.map((column) => {
                  const cell = row.cells[column.key];
                  return (
                    <td class="num" data-field={column.key} key={column.key}>
                      {cell && (
                        <button
                          type="button"
                          class="figure"
                          title={`What made ${cell.explained.title}`}
                          onClick={() => onExplain(cell.explained)}
                        >
                          {cell.text}
                        </button>
                      )}
                      {cell?.winner && (
                        <span class="winner" title="Winner: 95% confidence or more, above control">
                          {' '}
                          ★ winner
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
