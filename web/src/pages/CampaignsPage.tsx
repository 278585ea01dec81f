/**
 * Every campaign of the workspace: search by name or id, filter by tag, archived ones behind
 * a toggle, 50 a page. The list comes from `/campaigns/list` (every page of it, so search and
 * filters see all campaigns); channels, last sent and the 30-day sparkline of sends are loaded
 * for the rows on screen only, a few requests at a time.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiGet, inBatches } from '../api.js';
import { FailureMessage, Message } from '../components/Message.js';
import { Sparkline } from '../components/Sparkline.js';
import { channelLabel, formatCount } from '../format.js';
import { noteFailure, useLoad } from '../load.js';
import { campaignPath, onLinkClick, updateQuery } from '../routes.js';
import { dayIn, sendsPerDay } from '../sends.js';
import type { CampaignDetails, CampaignSummary, SeriesAnswer, WorkspaceAnswer } from '../types.js';

export const ROWS_PER_PAGE = 50;
const LIST_PAGE_SIZE = 100;
const SPARKLINE_DAYS = 30;

interface RowFacts {
  readonly details: CampaignDetails | null;
  readonly sends: readonly number[] | null;
}

async function listAll(includeArchived: boolean, onProgress: (n: number) => void) {
  const campaigns: CampaignSummary[] = [];
  for (let page = 0; ; page++) {
    const answer = await apiGet<{ campaigns: CampaignSummary[] }>('/campaigns/list', {
      page,
      include_archived: includeArchived,
      sort_direction: 'desc',
    });
    campaigns.push(...answer.campaigns);
    onProgress(campaigns.length);
    if (answer.campaigns.length < LIST_PAGE_SIZE) return campaigns;
  }
}

/** Facts of each row on screen; `null` for what the key may not read. */
function useRowFacts(ids: readonly string[], permissions: readonly string[]) {
  const [facts, setFacts] = useState<ReadonlyMap<string, RowFacts>>(new Map());
  const canDetail = permissions.includes('campaigns.details');
  const canSeries = permissions.includes('campaigns.data_series');
  useEffect(() => {
    let current = true;
    const missing = ids.filter((id) => !facts.has(id));
    void inBatches(
      missing.map((id) => async () => {
        const [details, series] = await Promise.all([
          canDetail ? apiGet<CampaignDetails>('/campaigns/details', { campaign_id: id }) : null,
          canSeries
            ? apiGet<SeriesAnswer>('/campaigns/data_series', {
                campaign_id: id,
                length: SPARKLINE_DAYS,
              })
            : null,
        ]);
        const row: RowFacts = { details, sends: series ? sendsPerDay(series.data) : null };
        if (current) setFacts((known) => new Map(known).set(id, row));
      }),
      4,
    ).then((results) => {
      for (const result of results) if (result.status === 'rejected') noteFailure(result.reason);
    });
    return () => {
      current = false;
    };
  }, [ids.join('\u0000')]);
  return facts;
}

function Row({
  campaign,
  facts,
  zone,
}: {
  campaign: CampaignSummary;
  facts: RowFacts | undefined;
  zone: string;
}) {
  // '…' while the row loads; '–' for what the key may not read.
  const pending = facts === undefined;
  const details = facts?.details;
  const sends = facts?.sends;
  const unknown = pending ? '…' : '–';
  return (
    <tr data-campaign={campaign.id}>
      <td>
        <a href={campaignPath(campaign.id)} onClick={onLinkClick}>
          {campaign.name}
        </a>
        {details?.archived && <span class="badge">archived</span>}
        <div class="muted small">{campaign.id}</div>
      </td>
      <td>{details ? details.channels.map(channelLabel).join(', ') : unknown}</td>
      <td>
        {campaign.tags.map((tag) => (
          <span class="tag" key={tag}>
            {tag}
          </span>
        ))}
      </td>
      <td class="num">
        {details ? (details.last_sent ? dayIn(details.last_sent, zone) : 'never') : unknown}
      </td>
      <td>
        {sends ? (
          <div class="spark">
            <Sparkline values={sends} label={`${campaign.name}: sends per day, last 30 days`} />
            <span class="small muted">{formatCount(sends.reduce((a, b) => a + b, 0))}</span>
          </div>
        ) : (
          unknown
        )}
      </td>
    </tr>
  );
}

function Pager({ page, pages }: { page: number; pages: number }) {
  if (pages <= 1) return null;
  const go = (to: number) => updateQuery({ page: to === 1 ? null : String(to) });
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  return (
    <nav class="pager" aria-label="Pages of campaigns">
      <button
        type="button"
        disabled={page <= 1}
        onClick={() => go(page - 1)}
        aria-label="Previous page"
      >
        ‹
      </button>
      {shown.map((n, index) => (
        <>
          {index > 0 && n - shown[index - 1]! > 1 && <span class="muted">…</span>}
          <button
            type="button"
            key={n}
            aria-current={n === page ? 'page' : undefined}
            onClick={() => go(n)}
          >
            {n}
          </button>
        </>
      ))}
      <button
        type="button"
        disabled={page >= pages}
        onClick={() => go(page + 1)}
        aria-label="Next page"
      >
        ›
      </button>
    </nav>
  );
}

export function CampaignsPage({
  query,
  context,
}: {
  query: URLSearchParams;
  context: WorkspaceAnswer;
}) {
  const search = query.get('q') ?? '';
  const tag = query.get('tag') ?? '';
  const archived = query.get('archived') === '1';
  const [progress, setProgress] = useState(0);
  const permissions = context.key.permissions;
  const list = useLoad(() => listAll(archived, setProgress), [archived]);
  const campaigns = list.state === 'done' ? list.value : [];
  const tags = useMemo(() => [...new Set(campaigns.flatMap((c) => c.tags))].sort(), [campaigns]);
  const matching = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return campaigns.filter(
      (c) =>
        (needle === '' ||
          c.name.toLowerCase().includes(needle) ||
          c.id.toLowerCase().includes(needle)) &&
        (tag === '' || c.tags.includes(tag)),
    );
  }, [campaigns, search, tag]);
  const pages = Math.max(1, Math.ceil(matching.length / ROWS_PER_PAGE));
  const page = Math.min(pages, Math.max(1, Number(query.get('page') ?? '1') || 1));
  const shown = matching.slice((page - 1) * ROWS_PER_PAGE, page * ROWS_PER_PAGE);
  const facts = useRowFacts(
    shown.map((c) => c.id),
    permissions,
  );

  if (!permissions.includes('campaigns.list')) {
    return (
      <Message
        tone="error"
        title="This key lacks the campaigns.list permission, so it cannot list campaigns."
      >
        Open a campaign by its address (/campaign/&lt;id&gt;), or sign in with a key that has
        campaigns.list.
      </Message>
    );
  }
  const missing = ['campaigns.details', 'campaigns.data_series'].filter(
    (p) => !permissions.includes(p),
  );
  return (
    <section>
      <h1>Campaigns</h1>
      <div class="filters" role="search">
        <input
          type="search"
          aria-label="Search by name or id"
          placeholder="Search name or id…"
          value={search}
          onInput={(e) =>
            updateQuery({ q: (e.currentTarget as HTMLInputElement).value || null, page: null })
          }
        />
        <label>
          Tag{' '}
          <select
            value={tag}
            onChange={(e) =>
              updateQuery({ tag: (e.currentTarget as HTMLSelectElement).value || null, page: null })
            }
          >
            <option value="">any</option>
            {tags.map((t) => (
              <option value={t} key={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) =>
              updateQuery({
                archived: (e.currentTarget as HTMLInputElement).checked ? '1' : null,
                page: null,
              })
            }
          />{' '}
          Show archived
        </label>
        <span class="muted" role="status">
          {list.state === 'loading'
            ? `Loading campaigns… ${formatCount(progress)}`
            : `${formatCount(matching.length)} of ${formatCount(campaigns.length)} campaigns`}
        </span>
      </div>
      {missing.length > 0 && (
        <Message title={`This key lacks ${missing.join(' and ')}: some columns stay empty.`} />
      )}
      {list.state === 'failed' ? (
        <FailureMessage error={list.error} retry={list.retry} />
      ) : (
        <>
          <table class="campaigns">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Channels</th>
                <th scope="col">Tags</th>
                <th scope="col">Last sent</th>
                <th scope="col">Sends, last 30 days</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((campaign) => (
                <Row
                  key={campaign.id}
                  campaign={campaign}
                  facts={facts.get(campaign.id)}
                  zone={context.workspace.time_zone}
                />
              ))}
            </tbody>
          </table>
          {list.state === 'done' && matching.length === 0 && (
            <Message title={campaigns.length === 0 ? 'No campaigns yet.' : 'No campaign matches.'}>
              {campaigns.length === 0
                ? 'Send events (POST /events) or define a campaign (tally campaign define).'
                : 'Change the search or the tag.'}
            </Message>
          )}
          <Pager page={page} pages={pages} />
        </>
      )}
    </section>
  );
}
