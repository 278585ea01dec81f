/**
 * Conversions and revenue on the embedded store (SPEC §3, §4). `attributeUser` is a pure
 * function of one (campaign, user)'s events; this module decides which pairs a change touches,
 * loads their events by index, and applies the difference between the stored credits and the new
 * ones to the day rollups. Late events therefore re-attribute exactly as if they had come in
 * order, and the cost of a batch is a few index lookups per touched pair, never a campaign scan.
 *
 * `pair_credits` keeps every pair's current attribution with its instants, not its local day,
 * so a zone change re-adds them by day (`rebuild`) and the send series filters them by instant.
 */
import type { Statement } from 'better-sqlite3';
import {
  attributeUser,
  attributionRulesOf as rulesOf,
  decodeCredits,
  diffCredits,
  encodeCredits,
  type AttributionRules as Rules,
  type Credit,
  type Enrolment,
  type Receipt,
} from '../../domain/attribution.js';
import {
  EMAIL_ENGAGEMENT_KINDS,
  type Action,
  type Behavior,
  type BehaviorKind,
  type EmailEngagement,
  type ImportedConversion,
} from '../../domain/behaviors.js';
import type { Campaign } from '../../domain/campaign.js';
import type { Channel } from '../../domain/channels.js';
import type { NormalizedEvent } from '../../domain/event.js';
import type { CampaignModel } from './campaigns.js';
import type { RollupWriter } from './rollup.js';
import type { Db } from './schema.js';
import { DayTally } from './tally.js';
import type { Workspaces } from './workspaces.js';

const sameRules = (a: Rules, b: Rules): boolean =>
  JSON.stringify([a.behaviors, a.controlVariationId]) ===
  JSON.stringify([b.behaviors, b.controlVariationId]);

/**
 * The events attribution reads: receipts, enrolments and email engagements (the keys of
 * EMAIL_ENGAGEMENT_KINDS). Word for word the WHERE of the partial index `events_user_activity`
 * (schema.ts), which SQLite uses only for queries that repeat it.
 */
const ACTIVITY = `(receipt = 1 OR enrols_control = 1
      OR event_type IN ('users.messages.email.Open', 'users.messages.email.Click'))`;

interface ActivityRow {
  id: string;
  event_type: string;
  instant_ms: number;
  channel: string | null;
  variation_id: string;
  send_id: string | null;
  receipt: number;
  enrols_control: number;
}

/** What attribution reads of a behavior; its properties stay in the event's payload. */
const BEHAVIOR_COLUMNS =
  'id, instant_ms, kind, product_id, event_name, app_id, price, quantity, currency';

interface BehaviorRow {
  id: string;
  instant_ms: number;
  kind: BehaviorKind;
  product_id: string | null;
  event_name: string | null;
  app_id: string | null;
  price: number | null;
  quantity: number | null;
  currency: string | null;
}

/** BEHAVIOR_COLUMNS' values, in order. */
const behaviorColumns = (b: Behavior) =>
  [
    b.id,
    b.instantMs,
    b.kind,
    b.productId ?? null,
    b.eventName ?? null,
    b.appId ?? null,
    b.price ?? null,
    b.quantity ?? null,
    b.currency ?? null,
  ] as const;

const behaviorOf = (row: BehaviorRow, userKey: string): Behavior => ({
  id: row.id,
  userKey,
  instantMs: row.instant_ms,
  kind: row.kind,
  productId: row.product_id ?? undefined,
  eventName: row.event_name ?? undefined,
  appId: row.app_id ?? undefined,
  price: row.price ?? undefined,
  quantity: row.quantity ?? undefined,
  currency: row.currency ?? undefined,
});

/** The sends a pair's credits count in. */
const sendsOf = (credits: readonly Credit[]): Set<string> =>
  new Set(credits.flatMap((credit) => (credit.sendId === null ? [] : [credit.sendId])));

/** Adds (sign 1) or takes away (sign −1) a credit of `campaignId` in the tally. */
function tallyCredit(tally: DayTally, campaignId: string, credit: Credit, sign: 1 | -1): void {
  const { channel, variationId, metric } = credit;
  const day = tally.dayOf(credit.dayMs);
  tally.add({ campaignId, day, channel, variationId, metric }, sign * credit.value);
}

interface Pair {
  readonly campaignId: string;
  readonly userKey: string;
  /** The pair's activity when it was read with the user's (see addUserCampaigns). */
  readonly activity?: readonly ActivityRow[];
}

interface PairKey {
  readonly workspaceId: string;
  readonly campaignId: string;
  readonly userKey: string;
}

/** The pairs one change touches, each once. */
class Pairs {
  readonly all = new Map<string, Pair>();
  add(campaignId: string, userKey: string, activity?: readonly ActivityRow[]): void {
    const key = `${campaignId}\u0000${userKey}`;
    if (this.all.get(key)?.activity === undefined) {
      this.all.set(key, { campaignId, userKey, activity });
    }
  }
}

const PAGE = 10_000;

export class Attribution {
  private readonly insertBehavior: Statement;
  private readonly insertImported: Statement;
  private readonly userActivity: Statement<[string, string], ActivityRow & { campaign_id: string }>;
  private readonly behaviorWithin: Statement<[string, string, number, number], { found: number }>;
  private readonly hasImported: Statement<[string, string, string], { found: number }>;
  private readonly anyImported: Statement<[string, string], { found: number }>;
  private readonly activity: Statement<[string, string, string], ActivityRow>;
  private readonly userBehaviors: Statement<[string, string], BehaviorRow>;
  private readonly userImported: Statement<[string, string, string], { conversion: string }>;
  private readonly storedCredits: Statement<[string, string, string], { credits: string }>;
  private readonly upsertCredits: Statement<[string, string, string, string]>;
  private readonly deleteCredits: Statement<[string, string, string]>;
  private readonly insertCreditSend: Statement<[string, string, string, string]>;
  private readonly deleteCreditSend: Statement<[string, string, string, string]>;
  private readonly campaignUsers: Statement<
    [{ ws: string; campaign: string }],
    { user_key: string }
  >;
  private readonly purchasers: Statement<[string, string], { user_key: string }>;
  private readonly upsertRate: Statement<[string, string, number]>;
  private readonly rateRows: Statement<[string], { currency: string; usd_per_unit: number }>;
  private readonly creditPage: Statement<
    [string, string, string, number],
    { campaign_id: string; user_key: string; credits: string }
  >;
  private readonly sendCreditRows: Statement<[string, string, string], { credits: string }>;

  constructor(
    db: Db,
    private readonly campaigns: CampaignModel,
    private readonly rollups: RollupWriter,
    private readonly workspaces: Workspaces,
  ) {
    this.insertBehavior = db.prepare(
      `INSERT OR IGNORE INTO behaviors (ws, user_key, ${BEHAVIOR_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertImported = db.prepare(
      `INSERT OR IGNORE INTO imported_conversions (ws, campaign_id, user_key, id, conversion)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.behaviorWithin = db.prepare(
      `SELECT 1 AS found FROM behaviors WHERE ws = ? AND user_key = ?
       AND instant_ms BETWEEN ? AND ? LIMIT 1`,
    );
    this.hasImported = db.prepare(
      `SELECT 1 AS found FROM imported_conversions WHERE ws = ? AND campaign_id = ? AND user_key = ?
       LIMIT 1`,
    );
    this.anyImported = db.prepare(
      'SELECT 1 AS found FROM imported_conversions WHERE ws = ? AND campaign_id = ? LIMIT 1',
    );
    const activityColumns =
      'id, event_type, instant_ms, channel, variation_id, send_id, receipt, enrols_control';
    this.activity = db.prepare(
      `SELECT ${activityColumns} FROM events WHERE ws = ? AND user_key = ? AND campaign_id = ?
       AND campaign_id IS NOT NULL AND ${ACTIVITY}`,
    );
    this.userActivity = db.prepare(
      `SELECT campaign_id, ${activityColumns} FROM events WHERE ws = ? AND user_key = ?
       AND campaign_id IS NOT NULL AND ${ACTIVITY}`,
    );
    this.userBehaviors = db.prepare(
      `SELECT ${BEHAVIOR_COLUMNS} FROM behaviors WHERE ws = ? AND user_key = ?`,
    );
    this.userImported = db.prepare(
      `SELECT conversion FROM imported_conversions WHERE ws = ? AND campaign_id = ? AND user_key = ?`,
    );
    this.storedCredits = db.prepare(
      'SELECT credits FROM pair_credits WHERE ws = ? AND campaign_id = ? AND user_key = ?',
    );
    this.upsertCredits = db.prepare(
      `INSERT INTO pair_credits (ws, campaign_id, user_key, credits) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET credits = excluded.credits`,
    );
    this.deleteCredits = db.prepare(
      'DELETE FROM pair_credits WHERE ws = ? AND campaign_id = ? AND user_key = ?',
    );
    this.insertCreditSend = db.prepare(
      `INSERT INTO credit_sends (ws, campaign_id, user_key, send_id) VALUES (?, ?, ?, ?)`,
    );
    this.deleteCreditSend = db.prepare(
      `DELETE FROM credit_sends WHERE ws = ? AND campaign_id = ? AND user_key = ? AND send_id = ?`,
    );
    // Recipients and control users (any day), plus users with imported conversions or credits.
    this.campaignUsers = db.prepare(
      `SELECT m.user_key FROM member_cells c JOIN cell_members m ON m.cell = c.id
         WHERE c.ws = @ws AND c.campaign_id = @campaign
         AND c.channel = '' AND c.metric IN ('unique_recipients', 'enrolled')
       UNION SELECT user_key FROM imported_conversions WHERE ws = @ws AND campaign_id = @campaign
       UNION SELECT user_key FROM pair_credits WHERE ws = @ws AND campaign_id = @campaign`,
    );
    this.purchasers = db.prepare(
      'SELECT DISTINCT user_key FROM behaviors WHERE ws = ? AND currency = ?',
    );
    this.upsertRate = db.prepare(
      `INSERT INTO currency_rates (ws, currency, usd_per_unit) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET usd_per_unit = excluded.usd_per_unit`,
    );
    this.rateRows = db.prepare('SELECT currency, usd_per_unit FROM currency_rates WHERE ws = ?');
    // Keyset paging: each page is written to the rollups before the next is read.
    this.creditPage = db.prepare(
      `SELECT campaign_id, user_key, credits FROM pair_credits
       WHERE ws = ? AND (campaign_id, user_key) > (?, ?)
       ORDER BY campaign_id, user_key LIMIT ?`,
    );
    this.sendCreditRows = db.prepare(
      `SELECT p.credits FROM credit_sends s JOIN pair_credits p USING (ws, campaign_id, user_key)
       WHERE s.ws = ? AND s.campaign_id = ? AND s.send_id = ?`,
    );
  }

  /**
   * After a batch is stored: indexes its behaviors and imported conversions, then re-attributes
   * every pair they, a receipt, an enrolment or an email engagement touch, into `tally`.
   */
  afterIngest(workspaceId: string, stored: readonly NormalizedEvent[], tally: DayTally): void {
    const rules = this.rulesCache(workspaceId);
    // Stale once this loop stores an imported conversion, but harmless: that one adds its pair.
    const hasImports = this.importsCache(workspaceId);
    const pairs = new Pairs();
    const behaviorInstants = new Map<string, number[]>();
    for (const event of stored) {
      const { behavior, importedConversion: imported, campaign, userKey } = event;
      if (behavior) {
        this.insertBehavior.run(workspaceId, userKey, ...behaviorColumns(behavior));
        const instants = behaviorInstants.get(userKey) ?? [];
        instants.push(behavior.instantMs);
        behaviorInstants.set(userKey, instants);
      } else if (imported) {
        const json = JSON.stringify(imported);
        this.insertImported.run(workspaceId, imported.campaignId, userKey, imported.id, json);
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
    this.reattribute(workspaceId, pairs, rules, tally);
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
      this.behaviorWithin.get(workspaceId, userKey, instantMs, instantMs + rules.reachMs) !==
        undefined ||
      (hasImports(campaignId) &&
        this.hasImported.get(workspaceId, campaignId, event.userKey) !== undefined)
    );
  }

  /**
   * After a definition is saved: when what attribution reads of the campaign changed, every
   * user who could hold a credit of it is re-attributed.
   */
  afterDefine(workspaceId: string, campaignId: string, before: Campaign | undefined): void {
    const rules = this.rulesCache(workspaceId);
    if (sameRules(rulesOf(before), rules(campaignId))) return;
    const pairs = new Pairs();
    for (const { user_key } of this.campaignUsers.all({ ws: workspaceId, campaign: campaignId })) {
      pairs.add(campaignId, user_key);
    }
    this.applyAlone(workspaceId, pairs, rules);
  }

  /** Sets a rate and re-prices every purchase in that currency, in every campaign it counts for. */
  setRate(workspaceId: string, currency: string, usdPerUnit: number): void {
    this.upsertRate.run(workspaceId, currency, usdPerUnit);
    const pairs = new Pairs();
    for (const { user_key } of this.purchasers.all(workspaceId, currency)) {
      this.addUserCampaigns(workspaceId, user_key, pairs, () => true);
    }
    this.applyAlone(workspaceId, pairs, this.rulesCache(workspaceId));
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
    const byCampaign = new Map<string, ActivityRow[]>();
    for (const row of this.userActivity.all(workspaceId, userKey)) {
      const rows = byCampaign.get(row.campaign_id) ?? [];
      rows.push(row);
      byCampaign.set(row.campaign_id, rows);
    }
    for (const [campaignId, activity] of byCampaign) {
      const enters = (row: ActivityRow) => row.receipt === 1 || row.enrols_control === 1;
      if (activity.some((row) => enters(row) && reaches(row, campaignId))) {
        pairs.add(campaignId, userKey, activity);
      }
    }
  }

  rates(workspaceId: string): Map<string, number> {
    return new Map(this.rateRows.all(workspaceId).map((r) => [r.currency, r.usd_per_unit]));
  }

  /** Re-adds every stored credit to the rollups, by day in `timezone` (after a zone change). */
  rebuild(workspaceId: string, timezone: string): void {
    let last: [string, string] = ['', ''];
    for (;;) {
      const rows = this.creditPage.all(workspaceId, ...last, PAGE);
      if (rows.length === 0) break;
      const tally = new DayTally(timezone);
      for (const row of rows) {
        for (const credit of decodeCredits(row.credits)) {
          tallyCredit(tally, row.campaign_id, credit, 1);
        }
      }
      this.rollups.write(workspaceId, tally);
      const end = rows[rows.length - 1]!;
      last = [end.campaign_id, end.user_key];
    }
  }

  /** The credits attributed to receipts of one send (SPEC §4). */
  sendCredits(workspaceId: string, campaignId: string, sendId: string): Credit[] {
    return this.sendCreditRows
      .all(workspaceId, campaignId, sendId)
      .flatMap((row) => decodeCredits(row.credits).filter((credit) => credit.sendId === sendId));
  }

  /** One change outside a batch: its own tally, written at once. */
  private applyAlone(workspaceId: string, pairs: Pairs, rules: (id: string) => Rules): void {
    const tally = new DayTally(this.workspaces.zoneOf(workspaceId));
    this.reattribute(workspaceId, pairs, rules, tally);
    this.rollups.write(workspaceId, tally);
  }

  private reattribute(
    workspaceId: string,
    pairs: Pairs,
    rules: (campaignId: string) => Rules,
    tally: DayTally,
  ): void {
    if (pairs.all.size === 0) return;
    const usdRates = this.rates(workspaceId);
    const hasImports = this.importsCache(workspaceId);
    for (const { campaignId, userKey, activity } of pairs.all.values()) {
      const { behaviors, controlVariationId } = rules(campaignId);
      const receipts: Receipt[] = [];
      const enrolments: Enrolment[] = [];
      const actions: Action[] = [];
      for (const row of activity ?? this.activity.all(workspaceId, userKey, campaignId)) {
        const { id, instant_ms: instantMs, variation_id: variationId } = row;
        if (row.receipt === 1) {
          const channel = row.channel as Channel;
          receipts.push({ id, instantMs, channel, variationId, sendId: row.send_id });
        } else if (row.enrols_control === 1) {
          enrolments.push({ id, instantMs, variationId });
        } else {
          const kind = EMAIL_ENGAGEMENT_KINDS[row.event_type]!;
          actions.push({ id, userKey, instantMs, kind, campaignId } satisfies EmailEngagement);
        }
      }
      for (const row of this.userBehaviors.all(workspaceId, userKey)) {
        actions.push(behaviorOf(row, userKey));
      }
      const imported = hasImports(campaignId)
        ? this.userImported
            .all(workspaceId, campaignId, userKey)
            .map((row) => JSON.parse(row.conversion) as ImportedConversion)
        : [];
      const after = attributeUser({
        campaignId,
        conversionBehaviors: behaviors,
        controlVariationId,
        receipts,
        enrolments,
        actions,
        imported,
        usdRates,
      });
      const stored = this.storedCredits.get(workspaceId, campaignId, userKey);
      const before = stored === undefined ? [] : decodeCredits(stored.credits);
      const { removed, added } = diffCredits(before, after);
      if (removed.length === 0 && added.length === 0) continue;
      for (const credit of removed) tallyCredit(tally, campaignId, credit, -1);
      for (const credit of added) tallyCredit(tally, campaignId, credit, 1);
      this.storeCredits({ workspaceId, campaignId, userKey }, before, after);
    }
  }

  /** Replaces a pair's stored credits, and its rows in `credit_sends` where its sends changed. */
  private storeCredits(pair: PairKey, before: readonly Credit[], after: readonly Credit[]): void {
    const { workspaceId, campaignId, userKey } = pair;
    if (after.length === 0) this.deleteCredits.run(workspaceId, campaignId, userKey);
    else this.upsertCredits.run(workspaceId, campaignId, userKey, encodeCredits(after));
    const [sendsBefore, sendsAfter] = [sendsOf(before), sendsOf(after)];
    for (const sendId of sendsBefore) {
      if (!sendsAfter.has(sendId))
        this.deleteCreditSend.run(workspaceId, campaignId, userKey, sendId);
    }
    for (const sendId of sendsAfter) {
      if (!sendsBefore.has(sendId))
        this.insertCreditSend.run(workspaceId, campaignId, userKey, sendId);
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
    return perCampaign((campaignId) => this.anyImported.get(workspaceId, campaignId) !== undefined);
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
