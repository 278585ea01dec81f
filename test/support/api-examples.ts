/**
 * The API reference's examples (src/api/openapi-examples.json), taken from real answers: the
 * demo's data (fixed seed, last day and clock, so every run gives the same answers) served by a
 * real app, and for each route its success and each error it gives: a bad parameter (400), no
 * key (401), a key without the permission (403), over the rate limit (429), and the store down
 * (5xx; /readyz's 503). Long arrays are cut to their first three items to stay readable.
 *
 * `npm run api-examples` writes the file; test/api/openapi-examples.test.ts checks that it is
 * still what the product answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/api/keys.js';
import { installDemo } from '../../src/cli/demo/load.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { parseDay } from '../../src/domain/time.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** `{"GET /campaigns/list": {"200": answer, "400": answer, ...}}` */
export type ApiExamples = Record<string, Record<string, unknown>>;

export const EXAMPLES_FILE = join('src', 'api', 'openapi-examples.json');

const END = '2026-11-30';
const END_DAY = parseDay(END)!;
/** Noon UTC of the demo's last day: the default `ending_at` and every rate-limit window. */
const NOW_MS = END_DAY * 86_400_000 + 12 * 3_600_000;
const ARRAY_ITEMS = 3;

interface Call {
  readonly route: string;
  readonly request: InjectOptions;
  /** The 400 this route answers to a bad parameter. */
  readonly invalid?: InjectOptions;
}

const get = (url: string): InjectOptions => ({ method: 'GET', url });
const post = (url: string, payload: object): InjectOptions => ({ method: 'POST', url, payload });

function shorten(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, ARRAY_ITEMS).map(shorten);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  }
  return value;
}

const PRICE_SEND = 'price_drop_2026-11-24';

const CALLS: readonly Call[] = [
  {
    route: 'GET /campaigns/data_series',
    request: get(
      `/campaigns/data_series?campaign_id=demo_onboarding_tips&length=2&ending_at=${END}T12:00:00`,
    ),
    invalid: get('/campaigns/data_series?campaign_id=demo_onboarding_tips&length=101'),
  },
  {
    route: 'GET /sends/data_series',
    request: get(
      `/sends/data_series?campaign_id=demo_price_alerts&send_id=${PRICE_SEND}&length=2&ending_at=2026-11-25T12:00:00`,
    ),
    invalid: get('/sends/data_series?campaign_id=demo_price_alerts&send_id=nope&length=14'),
  },
  {
    route: 'GET /campaigns/data_series/explain',
    request: get(
      `/campaigns/data_series/explain?campaign_id=demo_onboarding_tips&day=${END}&metric=conversions&channel=trigger_in_app_message&variation_api_id=onboarding_a&limit=3`,
    ),
    invalid: get(
      `/campaigns/data_series/explain?campaign_id=demo_onboarding_tips&day=${END}&metric=opens`,
    ),
  },
  {
    route: 'GET /sends/data_series/explain',
    request: get(
      `/sends/data_series/explain?campaign_id=demo_price_alerts&send_id=${PRICE_SEND}&day=2026-11-24&metric=revenue&limit=3`,
    ),
    invalid: get(
      `/sends/data_series/explain?campaign_id=demo_price_alerts&send_id=${PRICE_SEND}&day=2026-11-24&metric=revenue&channel=email&variation_api_id=nope`,
    ),
  },
  {
    route: 'GET /campaigns/list',
    request: get('/campaigns/list'),
    invalid: get('/campaigns/list?sort_direction=sideways'),
  },
  {
    route: 'GET /campaigns/details',
    request: get('/campaigns/details?campaign_id=demo_onboarding_tips'),
    invalid: get('/campaigns/details?campaign_id=nope'),
  },
  {
    route: 'POST /campaigns/define',
    request: post('/campaigns/define', {
      campaign_id: 'welcome',
      name: 'Welcome series',
      tags: ['onboarding'],
      channels: ['email'],
      variations: [{ id: 'welcome_v1', name: 'Variant 1' }],
      conversion_behaviors: [{ type: 'Makes Any Purchase', window: 259200 }],
    }),
    invalid: post('/campaigns/define', { campaign_id: 'welcome', channels: ['fax'] }),
  },
  {
    route: 'GET /sends/list',
    request: get('/sends/list?campaign_id=demo_price_alerts'),
    invalid: get('/sends/list?campaign_id=nope'),
  },
  {
    route: 'POST /sends/id/create',
    request: post('/sends/id/create', {
      campaign_id: 'demo_price_alerts',
      send_id: 'price_drop_manual',
    }),
    invalid: post('/sends/id/create', { campaign_id: 'nope' }),
  },
  {
    route: 'POST /events',
    request: post('/events', [
      {
        id: 'example-open-1',
        event_type: 'users.messages.email.Open',
        time: END_DAY * 86_400 + 3600,
        external_user_id: 'user_1',
        campaign_id: 'demo_spring_sale',
        message_variation_id: 'spring_sale_v1',
      },
      { id: 'example-bad-2', event_type: 'users.messages.email.Open', external_user_id: 'user_2' },
    ]),
    invalid: post('/events', { events: 'not an array' }),
  },
  {
    route: 'POST /users/track',
    request: post('/users/track', {
      events: [{ external_id: 'user_1', name: 'completed_onboarding', time: `${END}T09:30:00Z` }],
      purchases: [
        {
          external_id: 'user_1',
          product_id: 'yoga_mat',
          currency: 'USD',
          price: 29.99,
          time: `${END}T09:45:00Z`,
        },
      ],
    }),
    invalid: post('/users/track', { events: [{ name: 'no user' }] }),
  },
  { route: 'GET /workspace', request: get('/workspace') },
];

const PROBES: readonly Call[] = [
  { route: 'GET /healthz', request: get('/healthz') },
  { route: 'GET /readyz', request: get('/readyz') },
];

const withKey = (request: InjectOptions, key: string | null): InjectOptions => ({
  ...request,
  headers: key ? { authorization: `Bearer ${key}` } : {},
});

async function answer(app: FastifyInstance, request: InjectOptions): Promise<[string, unknown]> {
  const response = await app.inject(request);
  return [String(response.statusCode), shorten(response.json())];
}

export async function collectApiExamples(): Promise<ApiExamples> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-examples-'));
  const store = await openSqliteStore({ dataDir });
  const examples: ApiExamples = {};
  const add = (route: string, [status, body]: [string, unknown]) => {
    (examples[route] ??= {})[status] ??= body;
  };
  try {
    const { workspace } = await installDemo(
      store,
      { seed: 1, endDay: END_DAY, events: 20_000, definedAtMs: NOW_MS - 90 * 86_400_000 },
      () => {},
    );
    const key = await createApiKey(store, workspace.id, PERMISSIONS);
    // Keys without the route's permission: users.track for every route but /users/track's own.
    const tracker = await createApiKey(store, workspace.id, ['users.track']);
    const lister = await createApiKey(store, workspace.id, ['campaigns.list']);
    const now = () => NOW_MS;
    const app = await buildApp({ store, now });
    const oneEach = { limit: 1, windowMs: 3_600_000 };
    const limited = await buildApp({
      store,
      now,
      limits: { dataSeries: oneEach, sendIdCreate: oneEach, default: oneEach },
    });
    try {
      for (const call of PROBES) add(call.route, await answer(app, call.request));
      for (const call of CALLS) {
        add(call.route, await answer(app, withKey(call.request, key)));
        if (call.invalid) add(call.route, await answer(app, withKey(call.invalid, key)));
        add(call.route, await answer(app, withKey(call.request, null)));
        if (call.route !== 'GET /workspace') {
          const forbidden = call.route === 'POST /users/track' ? lister : tracker;
          add(call.route, await answer(app, withKey(call.request, forbidden)));
        }
        await limited.inject(withKey(call.request, key));
        add(call.route, await answer(limited, withKey(call.request, key)));
      }
      // The store down: the answers a client gets while the database cannot be read.
      await store.close();
      add('GET /readyz', await answer(app, get('/readyz')));
      for (const call of CALLS) add(call.route, await answer(app, withKey(call.request, key)));
    } finally {
      await app.close();
      await limited.close();
    }
  } finally {
    await store.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
  return examples;
}
