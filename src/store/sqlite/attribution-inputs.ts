/**
 * What attribution reads, stored and read back: behaviors by user (in columns), imported
 * conversions by (campaign, user), and each pair's receipts, enrolments and email engagements,
 * read from `events` through the partial index `events_user_activity`.
 */
import type { Statement } from 'better-sqlite3';
import type { Enrolment, Receipt } from '../../domain/attribution.js';
import {
  EMAIL_ENGAGEMENT_KINDS,
  type Action,
  type Behavior,
  type BehaviorKind,
  type EmailEngagement,
  type ImportedConversion,
} from '../../domain/behaviors.js';
import type { Channel } from '../../domain/channels.js';
import type { InstantSpan } from '../../domain/time.js';
import type { Db } from './schema.js';

/**
 * The events attribution reads: receipts, enrolments and email engagements (the keys of
 * EMAIL_ENGAGEMENT_KINDS). Word for word the WHERE of the partial index `events_user_activity`
 * (schema.ts), which SQLite uses only for queries that repeat it.
 */
const ACTIVITY = `(receipt = 1 OR enrols_control = 1
      OR event_type IN ('users.messages.email.Open', 'users.messages.email.Click'))`;

const ACTIVITY_COLUMNS =
  'id, event_type, instant_ms, channel, variation_id, send_id, receipt, enrols_control';

export interface ActivityRow {
  id: string;
  event_type: string;
  instant_ms: number;
  channel: string | null;
  variation_id: string;
  send_id: string | null;
  receipt: number;
  enrols_control: number;
}

/** A receipt or an enrolment: what a behavior converts against. */
export const entersCampaign = (row: ActivityRow): boolean =>
  row.receipt === 1 || row.enrols_control === 1;

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

/** Everything `attributeUser` reads of one (campaign, user) besides the rules and rates. */
export interface PairInputs {
  readonly receipts: readonly Receipt[];
  readonly enrolments: readonly Enrolment[];
  readonly actions: readonly Action[];
  readonly imported: readonly ImportedConversion[];
}

/** The inputs without the events `isLeftOut` names (by id). */
export function leavingOut(inputs: PairInputs, isLeftOut: (id: string) => boolean): PairInputs {
  const kept = <T extends { readonly id: string }>(items: readonly T[]) =>
    items.filter((item) => !isLeftOut(item.id));
  return {
    receipts: kept(inputs.receipts),
    enrolments: kept(inputs.enrolments),
    actions: kept(inputs.actions),
    imported: kept(inputs.imported),
  };
}

export class AttributionInputs {
  private readonly insertBehavior: Statement;
  private readonly insertImported: Statement;
  private readonly behaviorWithin: Statement<[string, string, number, number], { found: number }>;
  private readonly enteredActors: Statement<
    [
      {
        ws: string;
        actedFrom: number;
        actedTo: number;
        campaign: string;
        enteredFrom: number;
        enteredTo: number;
      },
    ],
    { user_key: string }
  >;
  private readonly hasImported: Statement<[string, string, string], { found: number }>;
  private readonly anyImported: Statement<[string, string], { found: number }>;
  private readonly activity: Statement<[string, string, string], ActivityRow>;
  private readonly activityWithin: Statement<[string, string, string, number, number], ActivityRow>;
  private readonly userActivity: Statement<[string, string], ActivityRow & { campaign_id: string }>;
  private readonly userBehaviors: Statement<[string, string], BehaviorRow>;
  private readonly userBehaviorsWithin: Statement<[string, string, number, number], BehaviorRow>;
  private readonly userImported: Statement<[string, string, string], { conversion: string }>;

  constructor(db: Db) {
    this.insertBehavior = db.prepare(
      `INSERT OR IGNORE INTO behaviors (ws, user_key, ${BEHAVIOR_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertImported = db.prepare(
      `INSERT OR IGNORE INTO imported_conversions (ws, campaign_id, user_key, id, conversion)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.behaviorWithin = db.prepare(
      // `+instant_ms`: by user (the primary key), never by the workspace's time range
      // (behaviors_time), which would read every user's behaviors of the span.
      `SELECT 1 AS found FROM behaviors WHERE ws = ? AND user_key = ?
       AND +instant_ms BETWEEN ? AND ? LIMIT 1`,
    );
    // The span's behaviors (behaviors_time), then each actor's entries by user: the planner
    // would take the campaign's time range instead, a scan of every user's rows.
    this.enteredActors = db.prepare(
      `SELECT DISTINCT b.user_key FROM behaviors b
       WHERE b.ws = @ws AND b.instant_ms >= @actedFrom AND b.instant_ms < @actedTo
       AND EXISTS (SELECT 1 FROM events e INDEXED BY events_user_activity
         WHERE e.ws = @ws AND e.user_key = b.user_key AND e.campaign_id = @campaign
         AND e.campaign_id IS NOT NULL AND ${ACTIVITY.replace(/\b(receipt|enrols_control|event_type)\b/g, 'e.$1')}
         AND (e.receipt = 1 OR e.enrols_control = 1)
         AND e.instant_ms >= @enteredFrom AND e.instant_ms < @enteredTo)`,
    );
    this.hasImported = db.prepare(
      `SELECT 1 AS found FROM imported_conversions WHERE ws = ? AND campaign_id = ? AND user_key = ?
       LIMIT 1`,
    );
    this.anyImported = db.prepare(
      'SELECT 1 AS found FROM imported_conversions WHERE ws = ? AND campaign_id = ? LIMIT 1',
    );
    // By user (the planner would take the campaign's time range, every user's rows).
    this.activityWithin = db.prepare(
      `SELECT ${ACTIVITY_COLUMNS} FROM events INDEXED BY events_user_activity
       WHERE ws = ? AND user_key = ? AND campaign_id = ? AND campaign_id IS NOT NULL
       AND ${ACTIVITY} AND instant_ms >= ? AND instant_ms < ?`,
    );
    this.activity = db.prepare(
      `SELECT ${ACTIVITY_COLUMNS} FROM events WHERE ws = ? AND user_key = ? AND campaign_id = ?
       AND campaign_id IS NOT NULL AND ${ACTIVITY}`,
    );
    this.userActivity = db.prepare(
      `SELECT campaign_id, ${ACTIVITY_COLUMNS} FROM events WHERE ws = ? AND user_key = ?
       AND campaign_id IS NOT NULL AND ${ACTIVITY}`,
    );
    this.userBehaviorsWithin = db.prepare(
      `SELECT ${BEHAVIOR_COLUMNS} FROM behaviors WHERE ws = ? AND user_key = ?
       AND +instant_ms >= ? AND +instant_ms < ?`,
    );
    this.userBehaviors = db.prepare(
      `SELECT ${BEHAVIOR_COLUMNS} FROM behaviors WHERE ws = ? AND user_key = ?`,
    );
    this.userImported = db.prepare(
      `SELECT conversion FROM imported_conversions WHERE ws = ? AND campaign_id = ? AND user_key = ?`,
    );
  }

  /** Stores a behavior of the user (the event's user key, as every read here asks for it). */
  storeBehavior(workspaceId: string, userKey: string, behavior: Behavior): void {
    this.insertBehavior.run(workspaceId, userKey, ...behaviorColumns(behavior));
  }

  storeImported(workspaceId: string, userKey: string, imported: ImportedConversion): void {
    const json = JSON.stringify(imported);
    this.insertImported.run(workspaceId, imported.campaignId, userKey, imported.id, json);
  }

  /** Whether the user has a behavior in [fromMs, toMs]. */
  hasBehaviorWithin(workspaceId: string, userKey: string, fromMs: number, toMs: number): boolean {
    return this.behaviorWithin.get(workspaceId, userKey, fromMs, toMs) !== undefined;
  }

  /** The users with a behavior in `acted` and a receipt or enrolment of the campaign in `entered`. */
  actorsEntered(
    workspaceId: string,
    acted: InstantSpan,
    campaignId: string,
    entered: InstantSpan,
  ): string[] {
    return this.enteredActors
      .all({
        ws: workspaceId,
        actedFrom: acted.fromMs,
        actedTo: acted.toMs,
        campaign: campaignId,
        enteredFrom: entered.fromMs,
        enteredTo: entered.toMs,
      })
      .map((row) => row.user_key);
  }

  hasImportedConversion(workspaceId: string, campaignId: string, userKey: string): boolean {
    return this.hasImported.get(workspaceId, campaignId, userKey) !== undefined;
  }

  campaignHasImports(workspaceId: string, campaignId: string): boolean {
    return this.anyImported.get(workspaceId, campaignId) !== undefined;
  }

  /** The user's activity in every campaign, by campaign, with one query. */
  activityByCampaign(workspaceId: string, userKey: string): Map<string, ActivityRow[]> {
    const byCampaign = new Map<string, ActivityRow[]>();
    for (const row of this.userActivity.all(workspaceId, userKey)) {
      const rows = byCampaign.get(row.campaign_id) ?? [];
      rows.push(row);
      byCampaign.set(row.campaign_id, rows);
    }
    return byCampaign;
  }

  /**
   * The pair's inputs; `activity` when already read (activityByCampaign). Imported conversions
   * are read only when `readImported` (attribution ignores them when the campaign has behaviors).
   * `within`: only the facts of that span (all that can change the credits of some days, when
   * it is their facts' span: see factsSpanOf).
   */
  read(
    workspaceId: string,
    campaignId: string,
    userKey: string,
    options: {
      readonly activity?: readonly ActivityRow[];
      readonly readImported: boolean;
      readonly within?: InstantSpan;
    },
  ): PairInputs {
    const receipts: Receipt[] = [];
    const enrolments: Enrolment[] = [];
    const actions: Action[] = [];
    const within = options.within;
    const rows =
      options.activity ??
      (within
        ? this.activityWithin.all(workspaceId, userKey, campaignId, within.fromMs, within.toMs)
        : this.activity.all(workspaceId, userKey, campaignId));
    for (const row of rows) {
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
    const behaviors = within
      ? this.userBehaviorsWithin.all(workspaceId, userKey, within.fromMs, within.toMs)
      : this.userBehaviors.all(workspaceId, userKey);
    for (const row of behaviors) {
      actions.push(behaviorOf(row, userKey));
    }
    const imported = options.readImported
      ? this.userImported
          .all(workspaceId, campaignId, userKey)
          .map((row) => JSON.parse(row.conversion) as ImportedConversion)
      : [];
    return { receipts, enrolments, actions, imported };
  }
}
