/**
 * A campaign's analytics over any range of up to 100 days: details, headline figures, the
 * historical chart (any figure, one line per variation), a table per channel, and the send ids
 * of an API campaign. The URL holds the range, the chart's figure and the open send
 * (routes.ts); changing them refetches only the series and redraws in place.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Channel } from '../../../src/domain/channels.js';
import { sumRange } from '../../../src/domain/rates.js';
import { parseDay } from '../../../src/domain/time.js';
import { apiGet } from '../api.js';
import { behaviorName } from '../behaviors.js';
import { chartLines, chartMetrics, defaultMetric, pointRequest } from '../chart-metrics.js';
import { DetailsPanel, Headline } from '../components/CampaignFacts.js';
import { ExplainPanel } from '../components/ExplainPanel.js';
import type { ExplainRequest, FigureRef } from '../explain.js';
import { ChannelTable, channelTable } from '../components/ChannelTable.js';
import { FailureMessage, Message } from '../components/Message.js';
import { RangeControl, RANGE_LENGTHS, shiftDay } from '../components/RangeControl.js';
import { SeriesCsvButton } from '../components/SeriesCsvButton.js';
import { SendsPanel } from '../components/SendsPanel.js';
import { TimeChart } from '../components/TimeChart.js';
import { formatFigure } from '../format.js';
import { useLoad } from '../load.js';
import { updateQuery } from '../routes.js';
import { dayIn, endingAt, sendsPerDay, todayIn } from '../sends.js';
import type { CampaignDetails, SeriesAnswer, WorkspaceAnswer } from '../types.js';

const DEFAULT_DAYS = 30;
const MAX_DAYS = RANGE_LENGTHS[RANGE_LENGTHS.length - 1]!;

function rangeOf(query: URLSearchParams, zone: string): { end: string; days: number } {
  const end = query.get('end');
  const days = Number(query.get('days'));
  return {
    end: end !== null && parseDay(end) !== undefined ? end : todayIn(zone),
    days: Number.isInteger(days) && days >= 1 && days <= MAX_DAYS ? days : DEFAULT_DAYS,
  };
}

export function CampaignPage({
  id,
  query,
  context,
}: {
  id: string;
  query: URLSearchParams;
  context: WorkspaceAnswer;
}) {
  const zone = context.workspace.time_zone;
  const permissions = context.key.permissions;
  const { end, days } = rangeOf(query, zone);
  // The request of the series on screen: the chart and table read it, the CSV saves it.
  const seriesParams = { campaign_id: id, length: days, ending_at: endingAt(end) };
  const details = useLoad(
    () =>
      permissions.includes('campaigns.details')
        ? apiGet<CampaignDetails>('/campaigns/details', { campaign_id: id })
        : Promise.resolve(null),
    [id],
  );
  const series = useLoad(
    () => apiGet<SeriesAnswer>('/campaigns/data_series', seriesParams),
    [id, end, days],
  );
  const data = series.state === 'done' ? series.value.data : null;
  const info = details.state === 'done' ? details.value : null;
  const totals = useMemo(() => (data ? sumRange(data) : null), [data]);
  const metrics = useMemo(() => (data ? chartMetrics(data) : []), [data]);
  const metric =
    metrics.find((m) => m.key === query.get('metric'))?.key ?? (data ? defaultMetric(data) : null);
  const nameOf = (variationId: string): string => info?.messages[variationId]?.name ?? variationId;
  const lines = useMemo(
    () => (data && metric ? chartLines(data, metric, nameOf) : []),
    [data, metric, info],
  );
  const dayLabels = useMemo(() => data?.map((day) => day.time) ?? [], [data]);
  const sent = useMemo(() => (data ? sendsPerDay(data).reduce((a, b) => a + b, 0) : 0), [data]);

  const [explaining, setExplaining] = useState<ExplainRequest | null>(null);
  const scope = { campaignId: id, sendId: null };
  const explainRange = (title: string, figures: readonly FigureRef[], formula?: string) =>
    data && setExplaining({ title, formula, figures, days: data, scope });
  const explainPoint = (line: number, day: number) =>
    setExplaining(pointRequest(metric, lines[line], data?.[day], scope));

  const setRange = (range: { end: string; days: number }) =>
    updateQuery({ end: range.end, days: String(range.days) });

  if (details.state === 'failed')
    return <FailureMessage error={details.error} retry={details.retry} />;
  const title = info?.name ?? id;
  const behaviors = info?.conversion_behaviors ?? [];
  const empty =
    totals !== null &&
    sent === 0 &&
    (totals.day.unique_recipients ?? 0) === 0 &&
    Object.values(totals.day).every((value) => value === 0);
  const lastSentDay = info?.last_sent ? dayIn(info.last_sent, zone) : null;
  const fileStem = `${id}_${shiftDay(end, 1 - days)}_${end}`;

  return (
    <article class="campaign">
      <div class="title-row">
        <h1>
          {title} <span class="muted small">{id}</span>
        </h1>
        <RangeControl end={end} days={days} onChange={setRange} />
      </div>
      {details.state === 'loading' && <p class="muted">Loading details…</p>}
      {info === null && details.state === 'done' && (
        <Message title="This key lacks the campaigns.details permission: names, behaviors and details are not shown." />
      )}
      {info && <DetailsPanel details={info} zone={zone} />}
      {series.state === 'failed' && <FailureMessage error={series.error} retry={series.retry} />}
      {series.state === 'loading' && !data && <p class="muted">Loading the series…</p>}
      {totals && data && (
        <>
          <Headline
            totals={totals}
            sent={sent}
            details={info}
            onExplain={(figure) => explainRange(figure.label, [figure])}
          />
          {empty && (
            <Message title={`No events in the ${days} days ending ${end}.`}>
              {lastSentDay ? (
                <>
                  This campaign last sent on {lastSentDay}.{' '}
                  <button
                    type="button"
                    class="link"
                    onClick={() => setRange({ end: lastSentDay, days })}
                  >
                    Show the {days} days ending {lastSentDay}
                  </button>
                </>
              ) : (
                'It has not sent anything yet.'
              )}
            </Message>
          )}
          <section class="history" aria-labelledby="history-title">
            <div class="section-head">
              <h2 id="history-title">Historical performance</h2>
              <select
                aria-label="Figure to chart"
                value={metric ?? ''}
                onChange={(e) =>
                  updateQuery({ metric: (e.currentTarget as HTMLSelectElement).value })
                }
              >
                {groupsOf(metrics).map(([group, options]) => (
                  <optgroup label={group} key={group}>
                    {options.map((m) => (
                      <option value={m.key} key={m.key}>
                        {group} · {m.label}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
              <SeriesCsvButton
                path="/campaigns/data_series"
                params={seriesParams}
                fileName={`${fileStem}.csv`}
                label="Download series (CSV)"
              />
            </div>
            {metric && (
              <TimeChart
                days={dayLabels}
                lines={lines}
                label={`${metric} per day, ${days} days ending ${end}`}
                format={metric.endsWith('revenue') ? (v) => formatFigure('revenue', v) : undefined}
                onPick={explainPoint}
              />
            )}
            <p class="muted small">
              Click a point of the chart, or any number on this page, to see the events behind it.
            </p>
          </section>
          {[...totals.channels].map(([channel, entries]) => (
            <ChannelTable
              key={channel}
              channel={channel as Channel}
              model={channelTable(
                channel as Channel,
                // Multichannel entries carry no names (SPEC §5): the details give them.
                entries.map((entry) => ({ ...entry, name: nameOf(entry.variationId) })),
                behaviors.map(behaviorName),
                // SPEC §5: only multivariate entries carry recipients and conversions.
                entries.some((entry) => 'unique_recipients' in entry.figures),
              )}
              fileName={`${fileStem}_${channel}.csv`}
              onExplain={(explained) =>
                explainRange(explained.title, explained.figures, explained.formula)
              }
            />
          ))}
        </>
      )}
      {info?.schedule_type === 'api_triggered' && (
        <SendsPanel
          campaignId={id}
          zone={zone}
          permitted={permissions.includes('sends.data_series')}
          selected={query.get('send')}
          metric={metric}
          nameOf={nameOf}
          onExplain={setExplaining}
        />
      )}
      {explaining && <ExplainPanel request={explaining} onClose={() => setExplaining(null)} />}
    </article>
  );
}

function groupsOf<T extends { group: string }>(items: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.group, [...(groups.get(item.group) ?? []), item]);
  return [...groups];
}
