/**
 * Conversions and revenue on the embedded store (SPEC §3, §4). `attributeUser` is a pure
 * function of one (campaign, user)'s events, and the day rollups always hold its result for every
 * pair. So a change needs no stored copy of the credits: for each pair it touches, the credits
 * before are `attributeUser` of the pair as it was (without the batch's new events, or with the
 * rules or rates from before), the credits after are of the pair as it is, and the difference
 * goes to the rollups. Late events re-attribute exactly as if they had come in order, and a batch
 * costs a few index lookups per touched pair, never a campaign scan.
 */
import type { Statement } from 'better-sqlite3';
import {
  attributeUser,
  attributionRulesOf as rulesOf,
  creditReach,
  factsSpanOf,
  diffCredits,
  type AttributionRules as Rules,
  type Credit,
} from '../../domain/attribution.js';
import { EMAIL_ENGAGEMENT_KINDS } from '../../domain/behaviors.js';
import type { Campaign } from '../../domain/campaign.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { InstantSpan } from '../../domain/time.js';
import {
  AttributionInputs,
  entersCampaign,
  leavingOut,
  type ActivityRow,
  type PairInputs,
} from './attribution-inputs.js';
import type { CampaignModel } from './campaigns.js';
import type { RollupWriter } from './rollup.js';
import type { Db } from './schema.js';
import { DayTally } from './tally.js';
import type { Workspaces } from './workspaces.js';

/** The first and last instants of a user's receipts of one send. */
export interface RecipientSpan {
  firstMs: number;
  lastMs: number;
}

/** Widens `userKey`'s span in `spans` to include `instantMs`. */
export function widen(spans: Map<string, RecipientSpan>, userKey: string, instantMs: number): void {
  const span = spans.get(userKey);
  if (span === undefined) spans.set(userKey, { firstMs: instantMs, lastMs: instantMs });
  else {
    span.firstMs = Math.min(span.firstMs, instantMs);
    span.lastMs = Math.max(span.lastMs, instantMs);
  }
}

const sameRules = (a: Rules, b: Rules): boolean =>
  JSON.stringify([a.behaviors, a.controlVariationId]) ===
  JSON.stringify([b.behaviors, b.controlVariationId]);

/** Adds (sign 1) or takes away (sign −1) a credit of `campaignId` in the tally. */
function tallyCredit(tally: DayTally, campaignId: string, credit: Credit, sign: 1 | -1): void {
  const { channel, variationId, metric } = credit;
  const day = tally.dayOf(credit.dayMs);
  tally.add({ campaignId, day, channel, variationId, metric }, sign * credit.value);
}

function attribute(
  campaignId: string,
  rules: Rules,
  inputs: PairInputs,
  usdRates: ReadonlyMap<string, number>,
): Credit[] {
  const { behaviors: conversionBehaviors, controlVariationId } = rules;
  return attributeUser({
    campaignId,
    conversionBehaviors,
    controlVariationId,
    ...inputs,
    usdRates,
  });
}

/** Attribution as the rollups hold it before a change. */
interface Before {
  readonly rules: (campaignId: string) => Rules;
  readonly usdRates: ReadonlyMap<string, number>;
  /** The change's new events (by id), which the rollups do not count yet. */
  readonly isNew: (id: string) => boolean;
}

/** Attribution after a change, and before it (null: the rollups hold no credits yet). */
interface Change {
  readonly rules: (campaignId: string) => Rules;
  readonly usdRates: ReadonlyMap<string, number>;
  readonly before: Before | null;
}

interface Pair {
  readonly campaignId: string;
  readonly userKey: string;
  /** The pair's activity when it was read with the user's (see addUserCampaigns). */
  readonly activity?: readonly ActivityRow[];
}

const pairKey = (campaignId: string, userKey: string): string => `${campaignId}\u0000${userKey}`;

/** The pairs one change touches, each once (by pairKey). */
class Pairs {
  readonly all = new Map<string, Pair>();
  add(campaignId: string, userKey: string, activity?: readonly ActivityRow[]): void {
    const key = pairKey(campaignId, userKey);
    if (this.all.get(key)?.activity === undefined) {
      this.all.set(key, { campaignId, userKey, activity });
    }
  }
}

/**
 * How an explanation narrows creditsOf: only behaviors in `actionsWithin` make a candidate (none
 * can: null), or every candidate is known to have one (`candidatesActed`); only the facts of
 * `factsWithin` are read.
 */
interface Explaining {
  readonly actionsWithin: InstantSpan | null;
  readonly factsWithin: InstantSpan;
  readonly candidatesActed: boolean;
}

/** Pairs re-attributed and written to the rollups together when a change touches a campaign. */
const PAGE = 10_000;

export class Attribution {
  private readonly inputs: AttributionInputs;
  private readonly campaignUsers: Statement<
    [{ ws: string; campaign: string }],
    { user_key: string }
  >;
  private readonly workspaceCampaigns: Statement<[{ ws: string }], { campaign_id: string }>;
  private readonly purchasers: Statement<[string, string], { user_key: string }>;
  private readonly upsertRate: Statement<[string, string, number]>;
  private readonly rateRows: Statement<[string], { currency: string; usd_per_unit: number }>;
  private readonly reachingUsers: Statement<
    [string, string, number, number],
    { user_key: string; first_ms: number; last_ms: number }
  >;
  private readonly importers: Statement<[string, string], { user_key: string }>;

  constructor(
    db: Db,
    private readonly campaigns: CampaignModel,
    private readonly rollups: RollupWriter,
    private readonly workspaces: Workspaces,
  ) {
    this.inputs = new AttributionInputs(db);
    // Every user who can hold a credit of the campaign: recipients and control users (any
    // day), and users with imported conversions.
    this.campaignUsers = db.prepare(
      `SELECT m.user_key FROM member_cells c JOIN cell_members m ON m.cell = c.id
         WHERE c.ws = @ws AND c.campaign_id = @campaign
         AND c.channel = '' AND c.metric IN ('unique_recipients', 'enrolled')
       UNION SELECT user_key FROM imported_conversions WHERE ws = @ws AND campaign_id = @campaign`,
    );
    this.workspaceCampaigns = db.prepare(
      `SELECT DISTINCT campaign_id FROM member_cells WHERE ws = @ws
       AND channel = '' AND metric IN ('unique_recipients', 'enrolled')
       UNION SELECT DISTINCT campaign_id FROM imported_conversions WHERE ws = @ws`,
    );
    this.purchasers = db.prepare(
      'SELECT DISTINCT user_key FROM behaviors WHERE ws = ? AND currency = ?',
    );
    this.upsertRate = db.prepare(
      `INSERT INTO currency_rates (ws, currency, usd_per_unit) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET usd_per_unit = excluded.usd_per_unit`,
    );
    this.rateRows = db.prepare('SELECT currency, usd_per_unit FROM currency_rates WHERE ws = ?');
    // An index range of events_campaign_time.
    this.reachingUsers = db.prepare(
      `SELECT user_key, min(instant_ms) AS first_ms, max(instant_ms) AS last_ms FROM events
       WHERE ws = ? AND campaign_id = ? AND campaign_id IS NOT NULL
       AND instant_ms >= ? AND instant_ms < ? AND (receipt = 1 OR enrols_control = 1)
       GROUP BY user_key`,
    );
    this.importers = db.prepare(
      'SELECT DISTINCT user_key FROM imported_conversions WHERE ws = ? AND campaign_id = ?',
    );
  }

  /**
   * The rules of the campaigns of `events` as they are now: what afterIngest needs of them from
   * before the campaign model records the events (a first control enrolment changes them).
   */
  rulesOfCampaigns(workspaceId: string, events: readonly NormalizedEvent[]): Map<string, Rules> {
    const rules = new Map<string, Rules>();
    for (const { campaign } of events) {
      if (campaign && !rules.has(campaign.campaignId)) {
        rules.set(
          campaign.campaignId,
          rulesOf(this.campaigns.get(workspaceId, campaign.campaignId)),
        );
      }
    }
    return rules;
  }

  /**
   * After a batch is stored: indexes its behaviors and imported conversions, then re-attributes
   * every pair they, a receipt, an enrolment or an email engagement touch, into `tally`.
   * `rulesBefore`: rulesOfCampaigns of the batch, read before the campaign model recorded it.
   */
  afterIngest(
    workspaceId: string,
    stored: readonly NormalizedEvent[],
    tally: DayTally,
    rulesBefore: ReadonlyMap<string, Rules>,
  ): void {
    const rules = this.rulesCache(workspaceId);
    // Stale once this loop stores an imported conversion, but harmless: that one adds its pair.
    const hasImports = this.importsCache(workspaceId);
    const pairs = new Pairs();
    const behaviorInstants = new Map<string, number[]>();
    const newIds = new Set<string>();
    for (const event of stored) {
      const { behavior, importedConversion: imported, campaign, userKey } = event;
      newIds.add(event.id);
      if (behavior) {
        this.inputs.storeBehavior(workspaceId, userKey, behavior);
        newIds.add(behavior.id);
        const instants = behaviorInstants.get(userKey) ?? [];
        instants.push(behavior.instantMs);
        behaviorInstants.set(userKey, instants);
      } else if (imported) {
        this.inputs.storeImported(workspaceId, userKey, imported);
        newIds.add(imported.id);
        pairs.add(imported.campaignId, userKey);
      } else if (campaign && this.mayMatter(workspaceId, event, rules, hasImports)) {
        pairs.add(campaign.campaignId, userKey);
      }
    }
    // A behavior that no receipt or enrolment of a campaign reaches is credited nowhere in it
    // and takes no receipt from another behavior: that campaign's credits stay as they are.
    for (const [userKey, instants] of behaviorInstants) {
      this.addUserCampaigns(workspaceId, userKey, pairs, (row, campaignId) => {
        const { reachMs } = rules(campaignId);
        return instants.some((tau) => row.instant_ms <= tau && tau <= row.instant_ms + reachMs);
      });
    }
    const usdRates = this.rates(workspaceId);
    const before: Before = {
      rules: (campaignId) => rulesBefore.get(campaignId) ?? rules(campaignId),
      usdRates,
      isNew: (id) => newIds.has(id),
    };
    this.reattribute(workspaceId, pairs, { rules, usdRates, before }, tally);
    // A batch that changed a campaign's rules (its first control enrolment) changes them for
    // every pair of the campaign. The pairs it touched went from the old rules to the new ones
    // just above; the others go now.
    for (const [campaignId, old] of rulesBefore) {
      if (sameRules(old, rules(campaignId))) continue;
      const rulesChange = { rules, usdRates, before: { ...before, rules: () => old } };
      this.reattributeCampaign(workspaceId, campaignId, rulesChange, (key) => pairs.all.has(key));
    }
  }

  /**
   * Whether a message event can change its pair's credits. Credits need an action or an
   * imported conversion, and neither is ever deleted, so a pair with none has none to change;
   * a receipt or enrolment reaches only the behaviors within the campaign's reach after it.
   */
  private mayMatter(
    workspaceId: string,
    event: NormalizedEvent,
    rulesOfCampaign: (campaignId: string) => Rules,
    hasImports: (campaignId: string) => boolean,
  ): boolean {
    const campaignId = event.campaign!.campaignId;
    const rules = rulesOfCampaign(campaignId);
    if (Object.hasOwn(EMAIL_ENGAGEMENT_KINDS, event.eventType) && rules.matchesEmail) return true;
    if (!event.receipt && !event.enrolsControl) return false;
    const { instantMs, userKey } = event;
    return (
      rules.matchesEmail ||
      this.inputs.hasBehaviorWithin(workspaceId, userKey, instantMs, instantMs + rules.reachMs) ||
      (hasImports(campaignId) &&
        this.inputs.hasImportedConversion(workspaceId, campaignId, userKey))
    );
  }

  /**
   * After a definition is saved: when what attribution reads of the campaign changed, every
   * user who could hold a credit of it is re-attributed.
   */
  afterDefine(workspaceId: string, campaignId: string, before: Campaign | undefined): void {
    const rules = this.rulesCache(workspaceId);
    const old = rulesOf(before);
    if (sameRules(old, rules(campaignId))) return;
    const usdRates = this.rates(workspaceId);
    const change = { rules, usdRates, before: { rules: () => old, usdRates, isNew: () => false } };
    this.reattributeCampaign(workspaceId, campaignId, change, () => false);
  }

  /** Sets a rate and re-prices every purchase in that currency, in every campaign it counts for. */
  setRate(workspaceId: string, currency: string, usdPerUnit: number): void {
    const ratesBefore = this.rates(workspaceId);
    this.upsertRate.run(workspaceId, currency, usdPerUnit);
    const pairs = new Pairs();
    for (const { user_key } of this.purchasers.all(workspaceId, currency)) {
      this.addUserCampaigns(workspaceId, user_key, pairs, () => true);
    }
    const rules = this.rulesCache(workspaceId);
    const before = { rules, usdRates: ratesBefore, isNew: () => false };
    this.applyAlone(workspaceId, pairs, { rules, usdRates: this.rates(workspaceId), before });
  }

  rates(workspaceId: string): Map<string, number> {
    return new Map(this.rateRows.all(workspaceId).map((r) => [r.currency, r.usd_per_unit]));
  }

  /** Adds every credit to the rollups, by day in `timezone` (after they were rebuilt for it). */
  rebuild(workspaceId: string, timezone: string): void {
    const change = { rules: this.rulesCache(workspaceId), usdRates: this.rates(workspaceId) };
    for (const { campaign_id } of this.workspaceCampaigns.all({ ws: workspaceId })) {
      const fromNothing = { ...change, before: null };
      this.reattributeCampaign(workspaceId, campaign_id, fromNothing, () => false, timezone);
    }
  }

  /**
   * The credits attributed to receipts of one send (SPEC §4), attributed for its recipients now,
   * like the rest of the send series (series.ts). `recipients`: each with the span of their
   * receipts of the send.
   */
  /**
   * Every credit of the campaign's users in `candidates` (each with the first and last of their
   * receipts or enrolments that matter), skipping those who can hold none: no behavior within
   * reach of those. An explanation narrows it (Explaining).
   */
  creditsOf(
    workspaceId: string,
    campaignId: string,
    candidates: ReadonlyMap<string, RecipientSpan>,
    explaining?: Explaining,
  ): Credit[] {
    const rules = rulesOf(this.campaigns.get(workspaceId, campaignId));
    const usdRates = this.rates(workspaceId);
    const readImported = this.inputs.campaignHasImports(workspaceId, campaignId);
    const actedWithin = (userKey: string, { firstMs, lastMs }: RecipientSpan): boolean => {
      if (!explaining) {
        return this.inputs.hasBehaviorWithin(workspaceId, userKey, firstMs, lastMs + rules.reachMs);
      }
      const { actionsWithin: span } = explaining;
      return (
        span !== null && this.inputs.hasBehaviorWithin(workspaceId, userKey, span.fromMs, span.toMs)
      );
    };
    // A credit needs a behavior within reach of a receipt or enrolment (or an email engagement
    // the rules match, or an imported conversion): most recipients have none.
    const mayHoldCredit = (userKey: string, span: RecipientSpan) =>
      explaining?.candidatesActed === true ||
      (rules.matchesEmail && explaining?.actionsWithin !== null) ||
      actedWithin(userKey, span) ||
      (readImported && this.inputs.hasImportedConversion(workspaceId, campaignId, userKey));
    // Imported conversions look back without a window: then every fact is read.
    const within = readImported ? undefined : explaining?.factsWithin;
    const credits: Credit[] = [];
    for (const [userKey, span] of candidates) {
      if (!mayHoldCredit(userKey, span)) continue;
      const options = { readImported, within };
      const inputs = this.inputs.read(workspaceId, campaignId, userKey, options);
      credits.push(...attribute(campaignId, rules, inputs, usdRates));
    }
    return credits;
  }

  /**
   * Every credit that can count in `metric` on the instants of `span` (a superset), for
   * explanations: of the send's recipients when given, else of the users with a receipt or
   * enrolment and an action where creditReach says, and of those with imported conversions.
   */
  creditsWithin(
    workspaceId: string,
    campaignId: string,
    span: InstantSpan,
    metric: string,
    sendRecipients: ReadonlyMap<string, RecipientSpan> | null,
  ): Credit[] {
    const rules = rulesOf(this.campaigns.get(workspaceId, campaignId));
    const { receipts, actions, onReceiptDay } = creditReach(span, rules, metric);
    const explaining: Explaining = {
      actionsWithin: actions,
      factsWithin: factsSpanOf(span, rules),
      candidatesActed: false,
    };
    if (sendRecipients) return this.creditsOf(workspaceId, campaignId, sendRecipients, explaining);
    const candidates = new Map<string, RecipientSpan>();
    if (actions === null) {
      // Only imported conversions can credit the metric: their users follow.
    } else if (onReceiptDay || rules.matchesEmail) {
      // The receipts of the day, or (email engagements convert, and they are no behaviors)
      // every receipt within reach.
      const rows = this.reachingUsers.all(workspaceId, campaignId, receipts.fromMs, receipts.toMs);
      for (const row of rows) {
        candidates.set(row.user_key, { firstMs: row.first_ms, lastMs: row.last_ms });
      }
    } else {
      // The day's behaviors: far fewer users than the recipients of a window before it.
      const reached = { firstMs: receipts.fromMs, lastMs: receipts.toMs };
      for (const userKey of this.inputs.actorsEntered(workspaceId, actions, campaignId, receipts)) {
        candidates.set(userKey, reached);
      }
    }
    const importers = this.importers.all(workspaceId, campaignId);
    for (const { user_key: userKey } of importers) {
      if (!candidates.has(userKey)) {
        candidates.set(userKey, { firstMs: span.fromMs, lastMs: span.toMs });
      }
    }
    // Actors found by their behaviors need no second look (importers are candidates anyway).
    const candidatesActed = actions !== null && !onReceiptDay && !rules.matchesEmail;
    return this.creditsOf(workspaceId, campaignId, candidates, { ...explaining, candidatesActed });
  }

  /**
   * Adds the campaigns a behavior of the user can credit: those with a receipt or an enrolment
   * of the user that `reaches` accepts. Their activity is read here, with one query for all.
   */
  private addUserCampaigns(
    workspaceId: string,
    userKey: string,
    pairs: Pairs,
    reaches: (receiptOrEnrolment: ActivityRow, campaignId: string) => boolean,
  ): void {
    for (const [campaignId, activity] of this.inputs.activityByCampaign(workspaceId, userKey)) {
      if (activity.some((row) => entersCampaign(row) && reaches(row, campaignId))) {
        pairs.add(campaignId, userKey, activity);
      }
    }
  }

  /**
   * Re-attributes every user who can hold a credit of the campaign, except the pairs `isDone`
   * names (by pairKey), a page at a time.
   */
  private reattributeCampaign(
    workspaceId: string,
    campaignId: string,
    change: Change,
    isDone: (pairKey: string) => boolean,
    zone = this.workspaces.zoneOf(workspaceId),
  ): void {
    let pairs = new Pairs();
    const users = this.campaignUsers.all({ ws: workspaceId, campaign: campaignId });
    for (const [index, { user_key }] of users.entries()) {
      if (!isDone(pairKey(campaignId, user_key))) pairs.add(campaignId, user_key);
      if (pairs.all.size === PAGE || index === users.length - 1) {
        this.applyAlone(workspaceId, pairs, change, zone);
        pairs = new Pairs();
      }
    }
  }

  /** One change outside a batch: its own tally, written at once. */
  private applyAlone(
    workspaceId: string,
    pairs: Pairs,
    change: Change,
    zone = this.workspaces.zoneOf(workspaceId),
  ): void {
    const tally = new DayTally(zone);
    this.reattribute(workspaceId, pairs, change, tally);
    this.rollups.write(workspaceId, tally);
  }

  /** Adds to `tally` the difference between each pair's credits before and after the change. */
  private reattribute(workspaceId: string, pairs: Pairs, change: Change, tally: DayTally): void {
    if (pairs.all.size === 0) return;
    const hasImports = this.importsCache(workspaceId);
    for (const { campaignId, userKey, activity } of pairs.all.values()) {
      const readImported = hasImports(campaignId);
      const inputs = this.inputs.read(workspaceId, campaignId, userKey, { activity, readImported });
      const after = attribute(campaignId, change.rules(campaignId), inputs, change.usdRates);
      const { before } = change;
      const was =
        before === null
          ? []
          : attribute(
              campaignId,
              before.rules(campaignId),
              leavingOut(inputs, before.isNew),
              before.usdRates,
            );
      const { removed, added } = diffCredits(was, after);
      for (const credit of removed) tallyCredit(tally, campaignId, credit, -1);
      for (const credit of added) tallyCredit(tally, campaignId, credit, 1);
    }
  }

  /** Each campaign's rules, read once per change. */
  private rulesCache(workspaceId: string): (campaignId: string) => Rules {
    return perCampaign((campaignId) => rulesOf(this.campaigns.get(workspaceId, campaignId)));
  }

  /**
   * Whether a campaign has any imported conversion, read once per change: most have none, and
   * then no pair of theirs needs a look for one.
   */
  private importsCache(workspaceId: string): (campaignId: string) => boolean {
    return perCampaign((campaignId) => this.inputs.campaignHasImports(workspaceId, campaignId));
  }
}

/** `read`, remembered per campaign for the length of one change. */
function perCampaign<T>(read: (campaignId: string) => T): (campaignId: string) => T {
  const cache = new Map<string, T>();
  return (campaignId) => {
    if (!cache.has(campaignId)) cache.set(campaignId, read(campaignId));
    return cache.get(campaignId)!;
  };
}
