/**
 * The send ids of an API campaign (`GET /sends/list`), newest first; choosing one shows its
 * own series over the 14 days from its first receipt (`/sends/data_series`, SPEC §4).
 */
import { useMemo } from 'preact/hooks';
import { SEND_WINDOW_DAYS } from '../../../src/domain/sends.js';
import { apiGet } from '../api.js';
import { chartLines, pointRequest } from '../chart-metrics.js';
import type { ExplainRequest } from '../explain.js';
import { useLoad } from '../load.js';
import { updateQuery } from '../routes.js';
import { dayIn, endingAt } from '../sends.js';
import type { SendSummary, SeriesAnswer } from '../types.js';
import { FailureMessage, Message } from './Message.js';
import { shiftDay } from './RangeControl.js';
import { SeriesCsvButton } from './SeriesCsvButton.js';
import { TimeChart } from './TimeChart.js';

function SendSeries({
  campaignId,
  send,
  zone,
  metric,
  nameOf,
  onExplain,
}: {
  campaignId: string;
  send: SendSummary;
  zone: string;
  metric: string | null;
  nameOf: (variationId: string) => string;
  onExplain: (request: ExplainRequest | null) => void;
}) {
  const start = send.first_receipt ? dayIn(send.first_receipt, zone) : null;
  const last = start ? shiftDay(start, SEND_WINDOW_DAYS - 1) : null;
  const params = {
    campaign_id: campaignId,
    send_id: send.send_id,
    length: SEND_WINDOW_DAYS,
    ending_at: last ? endingAt(last) : undefined,
  };
  const series = useLoad(() => apiGet<SeriesAnswer>('/sends/data_series', params), [send.send_id]);
  const data = series.state === 'done' ? series.value.data : null;
  const lines = useMemo(
    () => (data && metric ? chartLines(data, metric, nameOf) : []),
    [data, metric],
  );
  if (series.state === 'failed')
    return <FailureMessage error={series.error} retry={series.retry} />;
  if (!data) return <p class="muted">Loading the send's series…</p>;
  return (
    <div class="send-series" data-send={send.send_id}>
      <div class="section-head">
        <h3>
          Send {send.send_id}: {data[0]?.time} to {data[data.length - 1]?.time}
        </h3>
        <SeriesCsvButton
          path="/sends/data_series"
          params={params}
          fileName={`${campaignId}_${send.send_id}.csv`}
          label="Download send series (CSV)"
        />
      </div>
      {metric && (
        <TimeChart
          days={data.map((day) => day.time)}
          lines={lines}
          label={`${metric} per day of send ${send.send_id}`}
          onPick={(line, day) =>
            onExplain(
              pointRequest(metric, lines[line], data[day], { campaignId, sendId: send.send_id }),
            )
          }
        />
      )}
    </div>
  );
}

export function SendsPanel({
  campaignId,
  zone,
  permitted,
  selected,
  metric,
  nameOf,
  onExplain,
}: {
  campaignId: string;
  zone: string;
  permitted: boolean;
  selected: string | null;
  metric: string | null;
  nameOf: (variationId: string) => string;
  onExplain: (request: ExplainRequest | null) => void;
}) {
  const sends = useLoad(
    () =>
      permitted
        ? apiGet<{ sends: SendSummary[] }>('/sends/list', { campaign_id: campaignId })
        : Promise.resolve(null),
    [campaignId],
  );
  const list = sends.state === 'done' && sends.value ? [...sends.value.sends].reverse() : [];
  const open = list.find((send) => send.send_id === selected);
  return (
    <section class="sends" aria-labelledby="sends-title">
      <h2 id="sends-title">Send ids</h2>
      {!permitted && (
        <Message title="This key lacks the sends.data_series permission: send ids are not shown." />
      )}
      {sends.state === 'failed' && <FailureMessage error={sends.error} retry={sends.retry} />}
      {sends.state === 'done' && permitted && list.length === 0 && (
        <Message title="No send ids yet." />
      )}
      <ul class="send-ids">
        {list.map((send) => (
          <li key={send.send_id}>
            <button
              type="button"
              class="link"
              aria-pressed={send.send_id === selected}
              onClick={() => updateQuery({ send: send.send_id === selected ? null : send.send_id })}
            >
              {send.send_id}
            </button>{' '}
            <span class="muted small">
              {send.first_receipt ? dayIn(send.first_receipt, zone) : 'no receipt yet'}
            </span>
          </li>
        ))}
      </ul>
      {open && (
        <SendSeries
          campaignId={campaignId}
          send={open}
          zone={zone}
          metric={metric}
          nameOf={nameOf}
          onExplain={onExplain}
        />
      )}
    </section>
  );
}
