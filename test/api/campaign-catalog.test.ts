/** `GET /campaigns/list` and `GET /campaigns/details` (SPEC §7) over a real SQLite store. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event } from '../support/events.js';
import { bearer, startHarness, type Harness } from './harness.js';

const T = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /campaigns/list', () => {
  let h: Harness;
  const list = async (query = '', headers: Record<string, string> = {}) => {
    const response = await h.app.inject({
      url: `/campaigns/list${query}`,
      headers: { ...bearer(h.key), ...headers },
    });
    return { status: response.statusCode, body: response.json() };
  };
  const ids = async (query = '') => {
    const { status, body } = await list(query);
    assert.equal(status, 200, JSON.stringify(body));
    return (body.campaigns as { id: string }[]).map((c) => c.id);
  };

  before(async () => {
    h = await startHarness();
    // 205 campaigns c000..c204 created an hour apart, defined in reverse so that creation
    // order, not insertion order, must drive the sort.
    for (let i = 204; i >= 0; i--) {
      const id = `c${String(i).padStart(3, '0')}`;
      await h.store.defineCampaign(
        h.workspace.id,
        { campaign_id: id, name: `Campaign ${i}`, archived: i % 50 === 7 },
        T + i * HOUR,
      );
    }
  });
  after(() => h.close());

  it('pages 100 at a time, oldest first, hides archived ones, and ends with an empty page', async () => {
    const pages: string[][] = [];
    // A Braze client pages until it gets an empty page.
    for (let page = 0; ; page++) {
      const got = await ids(`?page=${page}`);
      if (got.length === 0) break;
      pages.push(got);
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 100, 1],
    );
    const all = pages.flat();
    const archived = ['c007', 'c057', 'c107', 'c157'];
    const expected = Array.from({ length: 205 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    assert.deepEqual(
      all,
      expected.filter((id) => !archived.includes(id)),
    );
    assert.deepEqual(await ids('?page=99'), []);
  });

  it('answers Braze’s entry shape', async () => {
    await h.store.defineCampaign(
      h.workspace.id,
      { campaign_id: 'c000', name: 'First', is_api_campaign: true, tags: ['a', 'b'] },
      T + 500 * HOUR,
    );
    const { body } = await list('?page=0');
    assert.equal(body.message, 'success');
    assert.deepEqual(body.campaigns[0], {
      id: 'c000',
      last_edited: iso(T + 500 * HOUR),
      name: 'First',
      is_api_campaign: true,
      tags: ['a', 'b'],
    });
    assert.deepEqual(body.campaigns[1], {
      id: 'c001',
      last_edited: iso(T + HOUR),
      name: 'Campaign 1',
      is_api_campaign: false,
      tags: [],
    });
  });

  it('includes archived campaigns on request and sorts newest first with sort_direction=desc', async () => {
    const withArchived = await ids('?include_archived=true&page=0');
    assert.equal(withArchived[7], 'c007');
    const desc = await ids('?sort_direction=desc&include_archived=true');
    assert.deepEqual(desc.slice(0, 3), ['c204', 'c203', 'c202']);
    assert.deepEqual(await ids('?sort_direction=desc&include_archived=true&page=2'), [
      'c004',
      'c003',
      'c002',
      'c001',
      'c000',
    ]);
  });

  it('filters by last_edit.time[gt] in every date form of ending_at', async () => {
    // c000 was last edited at T+500h; c201..c204 at T+201h..T+204h, 2026-01-13 09:00..12:00Z.
    const after = (value: string) => ids(`?last_edit.time%5Bgt%5D=${encodeURIComponent(value)}`);
    assert.deepEqual(await after(iso(T + 202 * HOUR)), ['c000', 'c203', 'c204']);
    assert.deepEqual(await after('2026-01-13T10:30:00+00:00'), ['c000', 'c203', 'c204']);
    // Strictly after: 13:00+0200 is c203's 11:00Z edit itself.
    assert.deepEqual(await after('2026-01-13T13:00+0200'), ['c000', 'c204']);
    assert.deepEqual(await after('2026-01-13T11:59:59.999+1:00'), ['c000', 'c203', 'c204']);
    assert.deepEqual(await after('2026-01-13T03:00:00-0800'), ['c000', 'c204']);
    // A bare date, and a time without offset, are read in the reporting zone (UTC here).
    assert.deepEqual(await after('2026-01-14'), ['c000']);
    assert.deepEqual(await after('2026-01-13T09:59'), ['c000', 'c202', 'c203', 'c204']);
    // The raw (unencoded) bracket form a Braze client may send.
    assert.deepEqual(await ids('?last_edit.time[gt]=2026-01-14T00:00:00Z'), ['c000']);
  });

  it('reads the bound in the workspace’s reporting zone when it has no offset', async () => {
    const berlin = await startHarness({ timezone: 'Europe/Berlin' });
    try {
      await berlin.store.defineCampaign(berlin.workspace.id, { campaign_id: 'x' }, T + HOUR);
      const get = async (value: string) =>
        (
          await berlin.app.inject({
            url: `/campaigns/list?last_edit.time%5Bgt%5D=${value}`,
            headers: bearer(berlin.key),
          })
        ).json().campaigns.length;
      // T + 1h is 02:00 in Berlin (UTC+1 in January).
      assert.equal(await get('2026-01-05T01:59:59'), 1);
      assert.equal(await get('2026-01-05T02:00:00'), 0);
    } finally {
      await berlin.close();
    }
  });

  it('refuses bad parameters with a JSON message naming them', async () => {
    const cases: [string, string][] = [
      ['?page=-1', 'page must be an integer from 0 to 100000'],
      ['?page=one', 'page must be an integer from 0 to 100000'],
      ['?sort_direction=up', 'sort_direction must be one of asc, desc'],
      ['?include_archived=maybe', 'include_archived must be true or false'],
    ];
    for (const [query, message] of cases) {
      assert.deepEqual(await list(query), { status: 400, body: { message } }, query);
    }
    const bad = await list('?last_edit.time%5Bgt%5D=2026-02-30');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /^last_edit\.time\[gt\] must be a date \(YYYY-MM-DD\)/);
    assert.equal((await list('?last_edit.time%5Bgt%5D=2026-01-05T24:00Z')).status, 400);
  });

  it('serves a trailing "?" and a GET with Content-Type: application/json and no body', async () => {
    const trailing = await list('?');
    assert.equal(trailing.status, 200);
    assert.equal(trailing.body.campaigns.length, 100);
    const typed = await list('', { 'content-type': 'application/json' });
    assert.equal(typed.status, 200);
  });

  it('needs campaigns.list (403) and a key (401)', async () => {
    const other = await h.keyWith(['campaigns.details', 'campaigns.data_series']);
    const denied = await h.app.inject({ url: '/campaigns/list', headers: bearer(other) });
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json(), { message: 'Access Denied' });
    const anonymous = await h.app.inject({ url: '/campaigns/list' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(typeof anonymous.json().message, 'string');
  });
});

describe('GET /campaigns/details', () => {
  let h: Harness;
  const details = (campaignId: string, key = h.key) =>
    h.app.inject({
      url: `/campaigns/details?campaign_id=${encodeURIComponent(campaignId)}`,
      headers: bearer(key),
    });

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('describes a defined campaign as Braze documents it, first_sent/last_sent from receipts', async () => {
    const definition = {
      campaign_id: 'spring',
      name: 'Spring sale',
      description: 'Twice a week',
      is_api_campaign: false,
      tags: ['sale'],
      channels: ['email' as const, 'ios_push' as const],
      variations: [
        { id: 'v1', name: 'Variant 1' },
        { id: 'v2', name: 'Variant 2' },
        { id: 'cg', name: 'Control Group', control: true },
      ],
      conversion_behaviors: [
        { type: 'Makes Any Purchase', window: 259_200 },
        { type: 'Performs Custom Event', custom_event_name: 'signup', window: 86_400 },
      ],
    };
    await h.store.defineCampaign(h.workspace.id, definition, T);
    await h.store.defineCampaign(h.workspace.id, definition, T + 3 * HOUR);
    await h.store.ingest(h.workspace.id, [
      event('email.Send', { id: 'a', at: T + 5 * HOUR, campaign: 'spring', variation: 'v2' }),
      event('email.Send', { id: 'b', at: T + 2 * HOUR, campaign: 'spring' }),
      event('email.Open', { id: 'c', at: T + 9 * HOUR, campaign: 'spring' }),
    ]);
    const response = await details('spring');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      message: 'success',
      created_at: iso(T),
      updated_at: iso(T + 3 * HOUR),
      archived: false,
      draft: false,
      enabled: true,
      has_post_launch_draft: false,
      name: 'Spring sale',
      description: 'Twice a week',
      schedule_type: 'time_based',
      channels: ['ios_push', 'email'],
      first_sent: iso(T + 2 * HOUR),
      last_sent: iso(T + 5 * HOUR),
      tags: ['sale'],
      teams: [],
      messages: {
        v1: { channel: 'ios_push', name: 'Variant 1', channels: ['ios_push', 'email'] },
        v2: { channel: 'ios_push', name: 'Variant 2', channels: ['ios_push', 'email'] },
        cg: { type: 'control', name: 'Control Group' },
      },
      conversion_behaviors: definition.conversion_behaviors,
    });
  });

  it('describes a campaign first seen in events, and one without receipts', async () => {
    await h.store.ingest(h.workspace.id, [
      event('users.campaigns.EnrollInControl', {
        id: 'e1',
        at: T + HOUR,
        campaign: 'seen',
        variation: 'ctl',
      }),
      event('sms.Send', {
        id: 'e2',
        at: T + 4 * HOUR,
        campaign: 'seen',
        campaign_name: 'From events',
        message_variation_name: 'Only one',
      }),
      event('email.Open', { id: 'e3', at: T, campaign: 'opened' }),
    ]);
    const seen = (await details('seen')).json();
    assert.deepEqual(seen, {
      message: 'success',
      created_at: iso(T + HOUR),
      updated_at: iso(T + HOUR),
      archived: false,
      draft: false,
      enabled: true,
      has_post_launch_draft: false,
      name: 'From events',
      description: '',
      schedule_type: 'time_based',
      channels: ['sms'],
      first_sent: iso(T + 4 * HOUR),
      last_sent: iso(T + 4 * HOUR),
      tags: [],
      teams: [],
      messages: {
        v1: { channel: 'sms', name: 'Only one', channels: ['sms'] },
        ctl: { type: 'control', name: 'ctl' },
      },
      conversion_behaviors: [],
    });
    const opened = (await details('opened')).json();
    assert.equal(opened.first_sent, null);
    assert.equal(opened.last_sent, null);
  });

  it('reports an archived API campaign as archived, disabled and api_triggered', async () => {
    await h.store.defineCampaign(
      h.workspace.id,
      { campaign_id: 'old', is_api_campaign: true, archived: true },
      T,
    );
    // Braze's optional parameters are accepted and ignored.
    const response = await h.app.inject({
      url: '/campaigns/details?campaign_id=old&post_launch_draft_version=true&include_has_translatable_content=true',
      headers: bearer(h.key),
    });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(
      [body.archived, body.enabled, body.schedule_type, body.name],
      [true, false, 'api_triggered', 'old'],
    );
  });

  it('answers JSON 400 for an unknown or missing campaign and 403 without campaigns.details', async () => {
    const unknown = await details('nope');
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(unknown.json(), {
      message: 'campaign_id "nope" is not a campaign of this workspace',
    });
    const missing = await h.app.inject({ url: '/campaigns/details?', headers: bearer(h.key) });
    assert.deepEqual(missing.json(), { message: 'campaign_id is required: a non-empty string' });
    const denied = await details('old', await h.keyWith(['campaigns.list']));
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json(), { message: 'Access Denied' });
  });
});
