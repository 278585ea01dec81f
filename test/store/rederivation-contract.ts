/**
 * Rules versioned, stored data re-derived (domain/rules-version.ts), on every store: events
 * stored under one rule set count, once the store is opened under newer rules, exactly as a
 * fresh ingest under those rules counts them, and an interrupted re-derivation resumes.
 *
 * The older rule set is this release's with the changes of version 2 undone: a behavior whose
 * `properties` is a string counts nowhere, sms `action` compares as written, and push opens add
 * no button metric. The genuine Currents records (test/fixtures/currents-v10.ts) meet each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizedEvent } from '../../src/domain/event.js';
import type { DerivationRules } from '../../src/domain/rules-version.js';
import { parseDay } from '../../src/domain/time.js';
import { normalizeEvent } from '../../src/ingest/currents.js';
import { CURRENT_RULES } from '../../src/ingest/rules.js';
import type { RederiveProgress, Store } from '../../src/store/store.js';
import {
  FIXTURE_DAY,
  GENUINE_CAMPAIGN,
  GENUINE_DEFINITION,
  GENUINE_RECORDS,
  IMPORTED_CAMPAIGN,
} from '../fixtures/currents-v10.js';

export type OpenAt = (
  place: string,
  options: { rules?: DerivationRules; onRederive?: (progress: RederiveProgress) => void },
) => Promise<Store>;

/** Version 1 as far as these records can tell it from version 2. */
function olderRules(current: DerivationRules): DerivationRules {
  return {
    version: current.version - 1,
    derive(payload) {
      const event = current.derive(payload);
      if (event === null) return null;
      const fields = JSON.parse(payload) as Record<string, unknown>;
      const { behavior, ...rest } = event;
      return {
        ...rest,
        ...(behavior && typeof behavior.properties !== 'string' ? { behavior } : {}),
        metrics: event.metrics.filter(
          (metric) =>
            !metric.startsWith('push_button:') &&
            !(metric === 'opt_out' && fields.action !== 'unsubscribed'),
        ),
      };
    },
  };
}

/** The payloads of the genuine records, as stored. */
const PAYLOADS = GENUINE_RECORDS.map(({ eventType, record }) => {
  const result = normalizeEvent({ event_type: eventType, ...record });
  if (!result.ok) throw new Error(result.reason);
  return result.event.payload;
});

const under = (rules: DerivationRules): NormalizedEvent[] =>
  PAYLOADS.map((payload) => rules.derive(payload)!);

const DAYS = { firstDay: parseDay(FIXTURE_DAY)! - 1, lastDay: parseDay(FIXTURE_DAY)! + 1 };

async function answers(store: Store): Promise<unknown> {
  const workspace = (await store.findWorkspaceByName('rules'))!;
  const out: Record<string, unknown> = {};
  for (const campaignId of [GENUINE_CAMPAIGN, IMPORTED_CAMPAIGN]) {
    const cells = await store.campaignSeries(workspace.id, campaignId, DAYS);
    out[campaignId] = {
      cells: cells.map((c) => JSON.stringify(c)).sort(),
      campaign: await store.getCampaign(workspace.id, campaignId),
      span: await store.receiptSpan(workspace.id, campaignId),
    };
  }
  out.listing = (await store.listCampaigns(workspace.id)).map((l) => l.id).sort();
  return out;
}

async function prepare(store: Store, events: readonly NormalizedEvent[]): Promise<void> {
  const { id } = await store.createWorkspace('rules', 'America/New_York');
  await store.defineCampaign(id, GENUINE_DEFINITION, Date.UTC(2026, 0, 1));
  await store.ingest(id, events.slice(0, 20));
  await store.ingest(id, events.slice(20));
}

export function rederivationContract(name: string, open: OpenAt, freshPlace: () => string): void {
  describe(`re-derivation under newer rules: ${name}`, () => {
    const OLD = olderRules(CURRENT_RULES);

    /** A fresh store under the current rules, and a place holding the same events under OLD. */
    async function storedUnderOld(): Promise<{ fresh: Store; expected: unknown; place: string }> {
      const fresh = await open(freshPlace(), {});
      await prepare(fresh, under(CURRENT_RULES));
      const expected = await answers(fresh);
      const place = freshPlace();
      const old = await open(place, { rules: OLD });
      await prepare(old, under(OLD));
      // Not vacuous: the older rules count these records otherwise.
      assert.notDeepEqual(await answers(old), expected);
      await old.close();
      return { fresh, expected, place };
    }

    it('counts events stored under older rules exactly as a fresh ingest under the new ones', async () => {
      const { fresh, expected, place } = await storedUnderOld();

      const progress: RederiveProgress[] = [];
      const upgraded = await open(place, { onRederive: (p) => progress.push(p) });
      assert.deepEqual(await answers(upgraded), expected);
      assert.deepEqual(progress.at(-1), {
        rulesVersion: CURRENT_RULES.version,
        done: PAYLOADS.length,
        total: PAYLOADS.length,
      });
      // Every event is still known by its id: a re-delivery is a duplicate.
      const workspace = (await upgraded.findWorkspaceByName('rules'))!;
      const again = await upgraded.ingest(workspace.id, under(CURRENT_RULES));
      assert.equal(again.duplicates, PAYLOADS.length);
      await upgraded.close();

      // Opened again under the same rules, nothing is derived anew.
      const reopened = await open(place, { onRederive: (p) => progress.push(p) });
      const before = progress.length;
      assert.deepEqual(await answers(reopened), expected);
      assert.equal(progress.length, before);
      await Promise.all([reopened.close(), fresh.close()]);
    });

    it('resumes an interrupted re-derivation and loses nothing', async () => {
      const { fresh, expected, place } = await storedUnderOld();

      // The process dies partway: its rules fail on the 30th event derived.
      let derived = 0;
      const failing: DerivationRules = {
        version: CURRENT_RULES.version,
        derive(payload) {
          derived += 1;
          if (derived === 30) throw new Error('killed halfway');
          return CURRENT_RULES.derive(payload);
        },
      };
      await assert.rejects(open(place, { rules: failing }), /killed halfway/);

      const resumed = await open(place, {});
      assert.deepEqual(await answers(resumed), expected);
      await Promise.all([resumed.close(), fresh.close()]);
    });
  });
}
