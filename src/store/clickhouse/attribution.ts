/**
 * Conversions and revenue on ClickHouse (SPEC §3, §4), attributed at query time by the same
 * pure `attributeUser` as the embedded store (docs/clickhouse.md, "Conversions and revenue").
 *
 * A series request reads, in one query, every user who can hold a credit — a recipient (or
 * control user) of the campaign, or of the send, with a behavior, an email engagement or an
 * imported conversion that the campaign's rules read — with that user's receipts, enrolments,
 * engagements and behaviors; imported conversions come from a second query at the same time.
 * Each user is attributed in Node and the credits are added by local day. No credit is kept
 * per user, so the answer is a function of the stored facts whatever the arrival order, the
 * number of API processes ingesting at once, or the state of the merges: copies of an event
 * (same id) are read once. A campaign series keeps each day's sums under change counters
 * (conversion-figures.ts), and a new rate, a redefinition or a zone change changes its keys.
 *
 * On a cluster every fact of a user lives on the user's shard (`cityHash64(user_key)`), so the
 * set subqueries run shard-locally (`distributed_product_mode = 'local'`): each shard finds and
 * groups its own users, and only the candidates' facts travel.
 */
import {
  attributeUser,
  attributionRulesOf,
  creditReach,
  type AttributionRules,
  type Credit,
  type CreditMetric,
  type Enrolment,
  type Receipt,
} from '../../domain/attribution.js';
import { countsInSend } from '../../domain/sends.js';
import {
  behaviorFromCurrents,
  EMAIL_ENGAGEMENT_KINDS,
  importedConversionFromCurrents,
  type Action,
  type ImportedConversion,
} from '../../domain/behaviors.js';
import type { ConversionType } from '../../domain/campaign-definition.js';
import { IMPORTED_CONVERSION, type BEHAVIOR_EVENT_TYPES } from '../../domain/catalog.js';
import type { Channel } from '../../domain/channels.js';
import { CONVERSION_FIELDS, seriesValue, type SeriesCell } from '../../domain/series.js';
import { localDay, type InstantSpan } from '../../domain/time.js';
import type { DayRange } from '../store.js';
import { campaignKeyOf } from './attribution-schema.js';
import type { CampaignModel } from './campaigns.js';
import { params, type ClickHouseHttp } from './http.js';
import { nextVersion } from './version.js';
import { utcSpanOf } from './zone-offsets.js';

/** Every metric a credit can have, and more entries (channel, variation) than any campaign has. */
const METRICS: readonly CreditMetric[] = [...CONVERSION_FIELDS, 'revenue'];
const ENTRY_LIMIT = 2 ** 20;

type BehaviorEventType = (typeof BEHAVIOR_EVENT_TYPES)[number];
const PURCHASE: BehaviorEventType = 'users.behaviors.Purchase';
const CUSTOM_EVENT: BehaviorEventType = 'users.behaviors.CustomEvent';
const SESSION_START: BehaviorEventType = 'users.behaviors.app.SessionStart';
const EMAIL_OPEN = 'users.messages.email.Open';
const EMAIL_CLICK = 'users.messages.email.Click';

/**
 * The stored event types each conversion type can match (behaviors.ts, MATCHERS), so a query
 * reads no other behaviors. Keyed by ConversionType: a new type does not compile until it says
 * what it reads. Behaviors have `campaign_id = ''`; email engagements are campaign rows.
 */
const MATCHED: Readonly<
  Record<ConversionType, { behaviors: readonly string[]; engagements: readonly string[] }>
> = {
  'Makes Any Purchase': { behaviors: [PURCHASE], engagements: [] },
  'Makes Specific Purchase': { behaviors: [PURCHASE], engagements: [] },
  'Performs Custom Event': { behaviors: [CUSTOM_EVENT], engagements: [] },
  'Starts Session': { behaviors: [SESSION_START], engagements: [] },
  'Opens Email': { behaviors: [], engagements: [EMAIL_OPEN] },
  'Clicks Email': { behaviors: [], engagements: [EMAIL_CLICK] },
};

/** A campaign defines at most four behaviors, so at most four custom event names. */
const NAME_SLOTS = 4;

/** What a campaign's rules read: purchases always (revenue), the rest as its behaviors say. */
function readTypes(rules: AttributionRules) {
  const behaviors = new Set<string>([PURCHASE]);
  const engagements = new Set<string>();
  for (const { type } of rules.behaviors) {
    const matched = Object.hasOwn(MATCHED, type) ? MATCHED[type as ConversionType] : undefined;
    matched?.behaviors.forEach((t) => behaviors.add(t));
    matched?.engagements.forEach((t) => engagements.add(t));
  }
  // A custom event's payload (sorted-key JSON.stringify output) holds its top-level name as
  // `"name":"<name>"` verbatim, so these needles let SQL skip other custom events; a nested
  // match is extra and fails the matcher in Node. Unused slots repeat a used one.
  const names = rules.behaviors.flatMap((b) =>
    b.type === 'Performs Custom Event' && b.custom_event_name !== undefined
      ? [`"name":${JSON.stringify(b.custom_event_name)}`]
      : [],
  );
  const needles = Array.from({ length: NAME_SLOTS }, (_, i) => names[i % names.length] ?? '');
  return { behaviors: [...behaviors], engagements: [...engagements], needles };
}

const WS = 'workspace_id = (SELECT ws FROM p)';
const CAMPAIGN = `${WS} AND campaign_id = (SELECT campaign FROM p)`;

/** What a series counts: the whole campaign, or one send (SPEC §4). */
type Scope = 'campaign' | 'send';

/**
 * Users who can hold a credit of the scope: a campaign's recipients and control users; a
 * send's recipients (control credits belong to no send). `reaching`: only those with a receipt
 * or enrolment in [from_ms, to_ms) — see Conversions.addCredits.
 */
const holders = (scope: Scope, reaching: boolean) =>
  (scope === 'campaign'
    ? `SELECT user_key FROM events WHERE ${CAMPAIGN} AND (receipt = 1 OR enrols_control = 1)`
    : `SELECT user_key FROM events WHERE ${CAMPAIGN} AND receipt = 1
       AND send_id = (SELECT send FROM p)`) +
  (reaching
    ? ' AND instant_ms >= (SELECT from_ms FROM p) AND instant_ms < (SELECT to_ms FROM p)'
    : '');

/** The behaviors the rules read: of their types, custom events only with a name they name. */
const BEHAVIORS = `campaign_id = '' AND has((SELECT behavior_types FROM p), event_type)
  AND (event_type != '${CUSTOM_EVENT}'
    ${Array.from({ length: NAME_SLOTS }, (_, i) => `OR position(payload, (SELECT needles FROM p)[${i + 1}]) > 0`).join(' ')})`;

/** The facts attribution reads: the rules' behaviors, the campaign's receipts and engagements. */
const FACTS = `${WS} AND (
    (${BEHAVIORS})
    OR (campaign_id = (SELECT campaign FROM p)
      AND (receipt = 1 OR enrols_control = 1 OR has((SELECT engagement_types FROM p), event_type))))`;

/** The instants whose facts can change the credits asked for (see Conversions.addCredits). */
const IN_FACTS_SPAN = `instant_ms >= (SELECT facts_from_ms FROM p)
  AND instant_ms < (SELECT facts_to_ms FROM p)`;

/** The instants of the actions that make a holder a candidate (the facts' span, or narrower). */
const IN_ACTIONS_SPAN = `instant_ms >= (SELECT actions_from_ms FROM p)
  AND instant_ms < (SELECT actions_to_ms FROM p)`;

/**
 * Holders with something to attribute: a behavior or engagement read within the actions' span,
 * or (`imported`) an imported conversion.
 */
const candidates = (scope: Scope, imported: boolean) => `
  SELECT user_key FROM events
  WHERE ${WS} AND ((${BEHAVIORS})
      OR (campaign_id = (SELECT campaign FROM p) AND has((SELECT engagement_types FROM p), event_type)))
    AND ${IN_ACTIONS_SPAN}
    AND user_key IN (${holders(scope, true)})
  ${
    imported
      ? `UNION ALL
  SELECT user_key FROM imported_conversions
  WHERE ${WS} AND campaign_key = (SELECT campaign_key FROM p)
    AND user_key IN (${holders(scope, false)})`
      : ''
  }`;

/** What a campaign row is to attribution (its role in factsSql; 0: an email click). */
const RECEIPT = 1;
const ENROLMENT = 2;
const EMAIL_OPENED = 3;

/**
 * Every candidate with its facts within the span; copies of an event appear twice and are
 * skipped in Node.
 */
const factsSql = (scope: Scope, imported: boolean) => `
SELECT user_key,
  groupArrayIf((id,
      multiIf(receipt = 1, ${RECEIPT}, enrols_control = 1, ${ENROLMENT},
        event_type = '${EMAIL_OPEN}', ${EMAIL_OPENED}, 0),
      instant_ms, channel, variation_id, send_id),
    campaign_id != '') AS activity,
  groupArrayIf((id, event_type, instant_ms, payload), campaign_id = '') AS behaviors
FROM events
WHERE ${FACTS} AND ${IN_FACTS_SPAN} AND user_key IN (${candidates(scope, imported)})
GROUP BY user_key
SETTINGS distributed_product_mode = 'local'`;

/**
 * The campaign's imported conversions (only read for campaigns without behaviors). Without a
 * receipt one still counts at day level, so a campaign series reads every one of them.
 */
const importedSql = (scope: Scope) => `
SELECT user_key, id, instant_ms, payload FROM imported_conversions
WHERE ${WS} AND campaign_key = (SELECT campaign_key FROM p)
  ${scope === 'send' ? `AND user_key IN (${holders(scope, false)})` : ''}
SETTINGS distributed_product_mode = 'local'`;

/**
 * A row when the campaign has an imported conversion (once it has one, it always will). A
 * column, not a constant: 18.16 cannot run a constant SELECT with a scalar subquery on shards.
 */
const HAS_IMPORTED_SQL = `
SELECT id FROM imported_conversions
WHERE ${WS} AND campaign_key = (SELECT campaign_key FROM p) LIMIT 1`;

const RATES_SQL = `
SELECT currency, argMax(usd_per_unit, version) AS usd FROM currency_rates
WHERE ${WS} GROUP BY currency`;

type ActivityTuple = [
  id: string,
  role: number,
  instantMs: number,
  channel: string,
  variationId: string,
  sendId: string,
];
type BehaviorTuple = [id: string, eventType: string, instantMs: number, payload: string];

interface FactsRow {
  user_key: string;
  activity: ActivityTuple[];
  behaviors: BehaviorTuple[];
}

interface ImportedRow {
  user_key: string;
  id: string;
  instant_ms: number;
  payload: string;
}

interface UserFacts {
  readonly receipts: Receipt[];
  readonly enrolments: Enrolment[];
  readonly actions: Action[];
  readonly imported: ImportedConversion[];
}

/** Whether a receipt or enrolment (sorted instants) lies in [instantMs − reach, instantMs]. */
function reached(sortedMs: readonly number[], instantMs: number, reach: number): boolean {
  let low = 0;
  let high = sortedMs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sortedMs[middle]! <= instantMs) low = middle + 1;
    else high = middle;
  }
  return low > 0 && sortedMs[low - 1]! >= instantMs - reach;
}

/**
 * A user's facts from the grouped row, each event id once. A behavior no receipt or enrolment
 * reaches can credit nothing (every credit needs one within its window): it is not parsed.
 */
function readFacts(
  campaignId: string,
  row: FactsRow,
  reach: number,
  imported: ImportedConversion[],
): UserFacts {
  const userKey = row.user_key;
  const into: UserFacts = { receipts: [], enrolments: [], actions: [], imported };
  const seen = new Set<string>();
  for (const [id, role, instantMs, channel, variationId, sendId] of row.activity) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (role === RECEIPT) {
      const send = sendId === '' ? null : sendId;
      into.receipts.push({ id, instantMs, channel: channel as Channel, variationId, sendId: send });
    } else if (role === ENROLMENT) {
      into.enrolments.push({ id, instantMs, variationId });
    } else {
      // The other rows read are the engagements the rules match: email opens and clicks.
      const kind = EMAIL_ENGAGEMENT_KINDS[role === EMAIL_OPENED ? EMAIL_OPEN : EMAIL_CLICK]!;
      into.actions.push({ id, userKey, instantMs, kind, campaignId });
    }
  }
  const starts = [...into.receipts, ...into.enrolments]
    .map((r) => r.instantMs)
    .sort((a, b) => a - b);
  for (const [id, eventType, instantMs, payload] of row.behaviors) {
    if (seen.has(id) || !reached(starts, instantMs, reach)) continue;
    seen.add(id);
    // The payload is the event's flattened fields, so this is the behavior ingest validated
    // (src/ingest/currents.ts); a malformed one was stored and counts nowhere, as here.
    const fields = JSON.parse(payload) as Record<string, unknown>;
    const parsed = behaviorFromCurrents(eventType, { id, userKey, instantMs }, fields);
    if (parsed?.ok) into.actions.push(parsed.value);
  }
  return into;
}

/** A sum of credits in one cell (revenue in micro-USD), before seriesValue. */
export interface CreditSum {
  readonly day: number;
  readonly channel: Channel | null;
  readonly variationId: string | null;
  readonly metric: CreditMetric;
  sum: number;
}

/**
 * Adds the credits `keep` admits to the cells of the requested days.
 * Tens of thousands of credits fall into a few thousand cells: each cell is found by a number
 * (day, metric, entry) rather than a string built per credit.
 */
export class CreditCells {
  private readonly entries = new Map<Channel | null, Map<string | null, number>>();
  private entryCount = 0;
  private readonly cellSums = new Map<number, CreditSum>();

  constructor(
    private readonly zone: string,
    readonly days: DayRange,
  ) {}

  add(credits: readonly Credit[], keep: (credit: Credit) => boolean): void {
    for (const credit of credits) {
      if (!keep(credit)) continue;
      const day = localDay(credit.dayMs, this.zone);
      if (day < this.days.firstDay || day > this.days.lastDay) continue;
      const { channel, variationId, metric } = credit;
      const key =
        ((day - this.days.firstDay) * METRICS.length + METRICS.indexOf(metric)) * ENTRY_LIMIT +
        this.entryOf(channel, variationId);
      const cell = this.cellSums.get(key);
      if (cell) cell.sum += credit.value;
      else this.cellSums.set(key, { day, channel, variationId, metric, sum: credit.value });
    }
  }

  /** The cells credited, as sums (credits that cancel out leave no cell). */
  sums(): CreditSum[] {
    return [...this.cellSums.values()].filter(({ sum }) => sum !== 0);
  }

  cells(): SeriesCell[] {
    return this.sums().map(seriesCellOf);
  }

  private entryOf(channel: Channel | null, variationId: string | null): number {
    let variations = this.entries.get(channel);
    if (!variations) this.entries.set(channel, (variations = new Map()));
    let entry = variations.get(variationId);
    if (entry === undefined) variations.set(variationId, (entry = this.entryCount++));
    return entry;
  }
}

export const seriesCellOf = ({ sum, ...cell }: CreditSum): SeriesCell => ({
  ...cell,
  value: seriesValue(cell.metric, sum),
});

/** What attributing a campaign reads besides its users' facts. */
export interface AttributionContext {
  readonly rules: AttributionRules;
  readonly usdRates: ReadonlyMap<string, number>;
  /**
   * SPEC §3: imported conversions count only for campaigns that define no behaviors; they are
   * read only when the campaign has any.
   */
  readonly readImported: boolean;
}

export class Conversions {
  constructor(
    private readonly db: ClickHouseHttp,
    private readonly campaigns: CampaignModel,
  ) {}

  /** The campaign's rules, the workspace's rates, and whether imported conversions are read. */
  async context(workspaceId: string, campaignId: string): Promise<AttributionContext> {
    const p = params({
      ws: ['String', workspaceId],
      campaign_key: ['String', campaignKeyOf(campaignId)],
    });
    const [campaign, usdRates, imported] = await Promise.all([
      this.campaigns.get(workspaceId, campaignId),
      this.rates(workspaceId),
      this.db.query<{ id: string }>(HAS_IMPORTED_SQL, [p]),
    ]);
    const rules = attributionRulesOf(campaign);
    return { rules, usdRates, readImported: rules.behaviors.length === 0 && imported.length > 0 };
  }

  /** The conversion and revenue cells of a send series: its receipts' credits before `cutoffMs`. */
  async sendCells(
    workspaceId: string,
    campaignId: string,
    sendId: string,
    zone: string,
    days: DayRange,
    cutoffMs: number,
  ): Promise<SeriesCell[]> {
    const context = await this.context(workspaceId, campaignId);
    const cells = new CreditCells(zone, days);
    const keep = (credit: Credit) => countsInSend(credit, sendId, cutoffMs);
    const sink = (credits: readonly Credit[]) => cells.add(credits, keep);
    await this.addCredits(utcSpanOf(days), sink, workspaceId, campaignId, context, sendId);
    return cells.cells();
  }

  /**
   * Every credit of the campaign's candidates (or the send's, `sendId` given) that can count
   * in `metric` on the instants of `span` (a local day's): a superset, for explanations
   * (src/store/explain.ts).
   */
  async credits(
    workspaceId: string,
    campaignId: string,
    span: InstantSpan,
    sendId: string | null,
    metric: string,
  ): Promise<Credit[]> {
    const context = await this.context(workspaceId, campaignId);
    const narrowed = creditReach(span, context.rules, metric);
    const all: Credit[] = [];
    const sink = (credits: readonly Credit[]) => all.push(...credits);
    await this.addCredits(span, sink, workspaceId, campaignId, context, sendId, narrowed);
    return all;
  }

  /** Stores a rate (checked by the caller) as a new version: the latest wins. */
  async setRate(workspaceId: string, currency: string, usdPerUnit: number): Promise<void> {
    await this.db.insert('currency_rates', [
      { workspace_id: workspaceId, currency, usd_per_unit: usdPerUnit, version: nextVersion() },
    ]);
  }

  async rates(workspaceId: string): Promise<Map<string, number>> {
    const rows = await this.db.query<{ currency: string; usd: number }>(RATES_SQL, [
      params({ ws: ['String', workspaceId] }),
    ]);
    return new Map(rows.map((row) => [row.currency, row.usd]));
  }

  /**
   * Gives `sink` the credits of each candidate of a campaign (`sendId` null) or of one send: a
   * superset of what counts on the days.
   *
   * A credit on a requested day counts on the day of its receipt (or enrolment) r, or of its
   * converting behavior τ with r in [τ − window, τ]; either way r lies in [first instant of the
   * days − reach, last instant of the days], reach being the widest window. So a user with no
   * receipt or enrolment there holds no credit on these days, except through an imported
   * conversion (counted on its own day, `_by_send_time` on its receipt's, however old), whose
   * users are always read.
   *
   * Nor can facts outside [first instant − reach, last instant + reach] change those credits:
   * τ ≤ r + window; an earlier action τ' took r only if r was its most recent receipt, so
   * r ≤ τ' < τ; and a receipt before the span is the most recent one only for actions whose
   * credits fall before the days. So each candidate is attributed from its facts in that span,
   * exactly for these days (credits outside them are partial and dropped by the cells' range).
   * An imported conversion looks back without a window: a campaign that reads them is
   * attributed from every fact of its candidates.
   *
   * `narrowed` (creditReach) keeps only the holders and actions that can make the credits of
   * one metric (an explanation's): the facts read stay the same.
   *
   * The facts arrive one user per row and are attributed as they arrive: the first answer of
   * a large campaign reads every fact of its users, more than a process should hold at once.
   */
  async addCredits(
    span: InstantSpan,
    sink: (credits: readonly Credit[]) => void,
    workspaceId: string,
    campaignId: string,
    context: AttributionContext,
    sendId: string | null,
    narrowed?: ReturnType<typeof creditReach>,
  ): Promise<void> {
    const { rules, usdRates, readImported } = context;
    const scope: Scope = sendId === null ? 'campaign' : 'send';
    const types = readTypes(rules);
    const reach = rules.reachMs;
    const factsFrom = readImported ? Number.MIN_SAFE_INTEGER : span.fromMs - reach;
    const factsTo = readImported ? Number.MAX_SAFE_INTEGER : span.toMs + reach;
    const p = params({
      ws: ['String', workspaceId],
      campaign: ['String', campaignId],
      campaign_key: ['String', campaignKeyOf(campaignId)],
      send: ['String', sendId ?? ''],
      behavior_types: ['Array(String)', types.behaviors],
      engagement_types: ['Array(String)', types.engagements],
      needles: ['Array(String)', types.needles],
      from_ms: ['Int64', narrowed?.receipts.fromMs ?? span.fromMs - reach],
      to_ms: ['Int64', narrowed?.receipts.toMs ?? span.toMs],
      facts_from_ms: ['Int64', factsFrom],
      facts_to_ms: ['Int64', factsTo],
      // No action credits the metric (narrowed.actions null): an empty span, no candidate.
      actions_from_ms: ['Int64', narrowed ? (narrowed.actions?.fromMs ?? 0) : factsFrom],
      actions_to_ms: ['Int64', narrowed ? (narrowed.actions?.toMs ?? 0) : factsTo],
    });
    const imported = readImported
      ? importedByUser(campaignId, await this.db.query<ImportedRow>(importedSql(scope), [p]))
      : new Map<string, ImportedConversion[]>();
    const attribute = (facts: UserFacts) =>
      sink(
        attributeUser({
          campaignId,
          conversionBehaviors: rules.behaviors,
          controlVariationId: rules.controlVariationId,
          ...facts,
          usdRates,
        }),
      );
    for await (const row of this.db.stream<FactsRow>(factsSql(scope, readImported), [p])) {
      const facts = readFacts(campaignId, row, reach, imported.get(row.user_key) ?? []);
      imported.delete(row.user_key);
      attribute(facts);
    }
    // Users whose only facts are imported conversions.
    for (const conversions of imported.values()) {
      attribute({ receipts: [], enrolments: [], actions: [], imported: conversions });
    }
  }
}

/**
 * Imported conversions of the campaign by user, each id once. A row found under another
 * campaign's key (a nested `campaign_id`, attribution-schema.ts) parses to that campaign and
 * is dropped.
 */
function importedByUser(
  campaignId: string,
  rows: readonly ImportedRow[],
): Map<string, ImportedConversion[]> {
  const byUser = new Map<string, ImportedConversion[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    const envelope = { id: row.id, userKey: row.user_key, instantMs: row.instant_ms };
    const fields = JSON.parse(row.payload) as Record<string, unknown>;
    const parsed = importedConversionFromCurrents(IMPORTED_CONVERSION, envelope, fields);
    if (parsed?.ok && parsed.value.campaignId === campaignId) {
      const ofUser = byUser.get(row.user_key) ?? [];
      ofUser.push(parsed.value);
      byUser.set(row.user_key, ofUser);
    }
  }
  return byUser;
}
