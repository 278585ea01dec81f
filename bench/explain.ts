/**
 * `npm run bench -- --only explain [--store clickhouse]`: how fast the first page of a figure's
 * explanation comes (`/campaigns/data_series/explain`, limit 100), for every figure of the
 * series on sampled days: on the embedded store over the 1,000,000-event demo, on ClickHouse
 * over one campaign of 10,000,000 synthetic events (loaded in process, bench/clickhouse.ts).
 * Beside it, the same run's one-day series request for the same days: the part of every
 * explanation that reads the figure's value, and what a number on screen cost in the first place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/api/keys.js';
import { installDemo } from '../src/cli/demo/load.js';
import { figureSource, type FigureSource } from '../src/domain/explain.js';
import { PERMISSIONS } from '../src/domain/permissions.js';
import { formatDay } from '../src/domain/time.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { startClickHouse } from '../test/support/services.js';
import { loadInProcess, prepareWorkspace } from './clickhouse.js';
import { percentile } from './latency.js';
import { BENCH_CAMPAIGN_DEFINITION } from './synthetic.js';

const DAY_MS = 86_400_000;
const SERIES_DAYS = 100;
const LABELS = new Set(['variation_name', 'variation_api_id']);

export interface ExplainLatency {
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** p99 and count per kind of figure (domain/explain.ts). */
  readonly byKind: Readonly<Record<string, { readonly n: number; readonly p99: number }>>;
  /** The same days' one-day series requests. */
  readonly seriesP99: number;
}

export interface ExplainFigures extends ExplainLatency {
  readonly store: 'sqlite' | 'clickhouse';
  readonly events: number;
  readonly loadSeconds: number;
}

type Day = { time: string; messages: Record<string, Record<string, unknown>[]> } & Record<
  string,
  unknown
>;

async function getJson(app: FastifyInstance, key: string, url: string): Promise<unknown> {
  const response = await app.inject({ url, headers: { authorization: `Bearer ${key}` } });
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  return response.json();
}

async function timedGet(app: FastifyInstance, key: string, url: string): Promise<number> {
  const started = performance.now();
  await getJson(app, key, url);
  return performance.now() - started;
}

/** Every figure of a day of the answer as explain parameters, with its kind. */
function figuresOf(day: Day): { params: string; kind: FigureSource }[] {
  const out: { params: string; kind: FigureSource }[] = [];
  for (const field of Object.keys(day)) {
    if (field === 'time' || field === 'messages') continue;
    out.push({ params: `metric=${field}`, kind: figureSource(field) });
  }
  for (const [channel, entries] of Object.entries(day.messages)) {
    for (const entry of entries) {
      for (const field of Object.keys(entry)) {
        if (LABELS.has(field)) continue;
        const variation = String(entry.variation_api_id);
        out.push({
          params: `metric=${encodeURIComponent(field)}&channel=${channel}&variation_api_id=${encodeURIComponent(variation)}`,
          kind: figureSource(field.startsWith('notif_button_') ? 'sent' : field),
        });
      }
    }
  }
  return out;
}

/** Explains every figure of each campaign on `sampleDays` evenly spaced days of its 100. */
export async function explainLatency(
  app: FastifyInstance,
  key: string,
  campaignIds: readonly string[],
  endDay: number,
  sampleDays: number,
): Promise<ExplainLatency> {
  const all: number[] = [];
  const byKind = new Map<string, number[]>();
  const series: number[] = [];
  for (const campaignId of campaignIds) {
    const answer = (await getJson(
      app,
      key,
      `/campaigns/data_series?campaign_id=${campaignId}&length=${SERIES_DAYS}&ending_at=${formatDay(endDay)}T12:00:00`,
    )) as { data: Day[] };
    const step = Math.max(1, Math.floor(SERIES_DAYS / sampleDays));
    for (let i = SERIES_DAYS - 1; i >= 0; i -= step) {
      const day = answer.data[i]!;
      series.push(
        await timedGet(
          app,
          key,
          `/campaigns/data_series?campaign_id=${campaignId}&length=1&ending_at=${day.time}T12:00:00`,
        ),
      );
      for (const { params, kind } of figuresOf(day)) {
        const url = `/campaigns/data_series/explain?campaign_id=${campaignId}&day=${day.time}&${params}&limit=100`;
        const ms = await timedGet(app, key, url);
        all.push(ms);
        byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
      }
    }
  }
  return {
    requests: all.length,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: Math.max(...all),
    byKind: Object.fromEntries(
      [...byKind].map(([kind, samples]) => [
        kind,
        { n: samples.length, p99: percentile(samples, 99) },
      ]),
    ),
    seriesP99: percentile(series, 99),
  };
}

async function campaignsOf(store: Store, workspaceId: string): Promise<string[]> {
  return (await store.listCampaigns(workspaceId)).map((campaign) => campaign.id);
}

/** The embedded store over the demo of `events` events, every campaign, 10 days each. */
export async function benchExplainSqlite(events: number): Promise<ExplainFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-bench-explain-'));
  const store = await openSqliteStore({ dataDir });
  const endDay = Math.floor(Date.now() / DAY_MS);
  try {
    console.error(`explain: loading the demo (${events.toLocaleString('en-US')} events)...`);
    const started = performance.now();
    const { workspace } = await installDemo(store, { seed: 1, endDay, events }, () => {});
    const loadSeconds = (performance.now() - started) / 1000;
    const key = await createApiKey(store, workspace.id, PERMISSIONS);
    const app = await buildApp({ store, logger: false });
    try {
      const campaigns = await campaignsOf(store, workspace.id);
      const latency = await explainLatency(app, key, campaigns, endDay, 10);
      return { store: 'sqlite', events, loadSeconds, ...latency };
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** ClickHouse: one campaign of `events` synthetic events over 90 days, 3 days of it. */
export async function benchExplainClickHouse(events: number): Promise<ExplainFigures> {
  const node = await startClickHouse();
  try {
    const { store, workspaceId, key } = await prepareWorkspace(node.url, 'bench_explain');
    await store.defineCampaign(workspaceId, BENCH_CAMPAIGN_DEFINITION);
    const endMs = Date.now();
    console.error(`explain: loading ${events.toLocaleString('en-US')} events into ClickHouse...`);
    const loadMs = await loadInProcess(store, workspaceId, {
      count: events,
      days: 90,
      endMs,
      seed: 1,
      idPrefix: 'x-',
      behaviorShare: 0.1,
    });
    const app = await buildApp({ store, logger: false });
    try {
      const campaigns = await campaignsOf(store, workspaceId);
      const latency = await explainLatency(app, key, campaigns, Math.floor(endMs / DAY_MS), 3);
      return { store: 'clickhouse', events, loadSeconds: loadMs / 1000, ...latency };
    } finally {
      await app.close();
      await store.close();
    }
  } finally {
    await node.stop();
  }
}
