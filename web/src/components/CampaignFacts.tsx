/** The details panel and the headline figures of a campaign over the range. */
import type { RangeTotals } from '../../../src/domain/rates.js';
import { conversionField, ratio } from '../../../src/domain/rates.js';
import { behaviorLabel, behaviorName } from '../behaviors.js';
import { channelLabel, formatCount, formatPercent, formatUsd } from '../format.js';
import { dayIn } from '../sends.js';
import type { FigureRef } from '../explain.js';
import type { CampaignDetails } from '../types.js';

export function DetailsPanel({ details, zone }: { details: CampaignDetails; zone: string }) {
  const variations = Object.entries(details.messages);
  const control = variations.find(([, message]) => message.type === 'control');
  const day = (iso: string | null) => (iso ? dayIn(iso, zone) : 'never');
  return (
    <dl class="details">
      <div>
        <dt>Channels</dt>
        <dd>{details.channels.map(channelLabel).join(', ') || 'none yet'}</dd>
      </div>
      <div>
        <dt>Variations</dt>
        <dd>
          {variations
            .filter(([, message]) => message.type !== 'control')
            .map(([id, message]) => `${message.name ?? id} (${id})`)
            .join(', ') || 'none yet'}
        </dd>
      </div>
      <div>
        <dt>Control group</dt>
        <dd>{control ? `${control[1].name ?? control[0]} (${control[0]})` : 'none'}</dd>
      </div>
      <div>
        <dt>Conversion behaviors</dt>
        <dd>{details.conversion_behaviors.map(behaviorLabel).join(', ') || 'none'}</dd>
      </div>
      <div>
        <dt>First sent</dt>
        <dd>{day(details.first_sent)}</dd>
      </div>
      <div>
        <dt>Last sent</dt>
        <dd>{day(details.last_sent)}</dd>
      </div>
      <div>
        <dt>Days in</dt>
        <dd>{zone}</dd>
      </div>
    </dl>
  );
}

/** A headline figure: a button that asks what made it. */
function Figure({
  figure,
  text,
  onExplain,
}: {
  figure: FigureRef;
  text: string;
  onExplain: (figure: FigureRef) => void;
}) {
  return (
    <button
      type="button"
      class="figure"
      title={`What made ${figure.label}`}
      onClick={() => onExplain(figure)}
    >
      <strong>{text}</strong>
    </button>
  );
}

const dayFigure = (metric: string, label: string): FigureRef => ({
  metric,
  channel: null,
  variationId: null,
  label: `Whole campaign · ${label}`,
});

export function Headline({
  totals,
  sent,
  details,
  onExplain,
}: {
  totals: RangeTotals;
  sent: number;
  details: CampaignDetails | null;
  onExplain: (figure: FigureRef) => void;
}) {
  const recipients = totals.day.unique_recipients ?? 0;
  const behaviors = details?.conversion_behaviors ?? [];
  return (
    <ul class="headline" aria-label="Totals over the range">
      <li data-figure="sent">
        <span>Sent</span>
        <strong>{formatCount(sent)}</strong>
      </li>
      <li data-figure="unique_recipients">
        <span>Unique recipients</span>
        <Figure
          figure={dayFigure('unique_recipients', 'unique recipients')}
          text={formatCount(recipients)}
          onExplain={onExplain}
        />
      </li>
      {behaviors.map((behavior, index) => {
        const conversions = totals.day[conversionField(index)] ?? 0;
        return (
          <li data-figure={conversionField(index)} key={index}>
            <span>{behaviorName(behavior)}</span>
            <Figure
              figure={dayFigure(conversionField(index), behaviorName(behavior))}
              text={formatCount(conversions)}
              onExplain={onExplain}
            />{' '}
            <span class="rate">{formatPercent(ratio(conversions, recipients))}</span>
          </li>
        );
      })}
      <li data-figure="revenue">
        <span>Revenue</span>
        <Figure
          figure={dayFigure('revenue', 'revenue')}
          text={formatUsd(totals.day.revenue ?? 0)}
          onExplain={onExplain}
        />
      </li>
    </ul>
  );
}
