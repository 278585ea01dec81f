/**
 * The OpenAPI 3.1 document at /openapi.json and the docs page at /docs. The routes to find
 * in the document come from Fastify itself (its printed route tree), not from a list here,
 * so a route added without a schema entry fails this test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness.js';

interface Operation {
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
  security?: Record<string, unknown>[];
  description?: string;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string }> };
}

/** Paths that document the API, or serve the dashboard, rather than being part of the API. */
const DOCUMENTATION = /^\/(docs|openapi\.json|assets)(\/|$)|^\/\*?$/;

/**
 * `[path, method]` of every route in `printRoutes({ commonPrefix: false })`, which prints a
 * tree: each line a segment (`├── /campaigns/list (GET, HEAD)`), indented 4 per level.
 */
function registeredRoutes(tree: string): [string, string][] {
  const stack: string[] = [];
  const routes: [string, string][] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack[depth] = (depth > 0 ? stack[depth - 1]! : '') + match[2]!;
    for (const method of match[3]?.split(', ') ?? []) routes.push([stack[depth]!, method]);
  }
  return routes;
}

describe('OpenAPI document and docs page', () => {
  let h: Harness;
  let doc: Document;

  before(async () => {
    h = await startHarness();
    const response = await h.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200, 'served without a key');
    doc = response.json();
  });
  after(() => h.close());

  it('is OpenAPI 3.1 with bearer and api_key security schemes', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(doc.info.title, 'Tally API');
    assert.deepEqual(doc.components.securitySchemes.bearer, {
      type: 'http',
      scheme: 'bearer',
      description: 'Authorization: Bearer <key>',
    });
    assert.equal(doc.components.securitySchemes.api_key!.type, 'apiKey');
  });

  it('documents every route the app registers, and nothing else', () => {
    const registered = registeredRoutes(h.app.printRoutes({ commonPrefix: false }))
      .filter(([path, method]) => method !== 'HEAD' && !DOCUMENTATION.test(path))
      .map(([path, method]) => `${method} ${path}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    assert.ok(registered.length >= 8, registered.join(', '));
    assert.ok(registered.includes('GET /campaigns/list'));
    assert.deepEqual(documented, registered);
  });

  it('groups every operation by what it serves, with a real example of each answer', () => {
    const tags = (doc as unknown as { tags: { name: string }[] }).tags.map((t) => t.name);
    assert.deepEqual(tags, [
      'Series',
      'Campaigns',
      'Sends',
      'Ingestion',
      'Users',
      'Workspace',
      'Operations',
    ]);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method} ${path}`;
        assert.equal(operation.tags?.length, 1, where);
        assert.ok(tags.includes(operation.tags![0]!), where);
        if (path === '/metrics') continue; // Prometheus text, not JSON
        for (const [status, response] of Object.entries(operation.responses)) {
          const json = (response as { content?: Record<string, { example?: unknown }> }).content?.[
            'application/json'
          ];
          assert.notEqual(json?.example, undefined, `${where} ${status} has no example`);
        }
      }
    }
  });

  it('gives every operation its security, permission, responses and parameters', async () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method} ${path}`;
        if (path === '/healthz' || path === '/readyz') {
          // Probes: no key, and the document says so.
          assert.deepEqual(operation.security, [], where);
          const probe = await h.app.inject({ method: 'GET', url: path });
          assert.equal(probe.statusCode, 200, where);
          continue;
        }
        assert.deepEqual(operation.security, [{ bearer: [] }, { api_key: [] }], where);
        assert.match(operation.description ?? '', /permission/, where);
        assert.ok(operation.responses['200'], where);
        // GET /workspace takes no parameter and any valid key: it has no 400 or 403.
        const errors = path === '/workspace' ? ['401', '429'] : ['400', '401', '403', '429'];
        assert.ok(
          errors.every((status) => operation.responses[status]),
          where,
        );
        // The document's security claim holds: without a key the route answers 401.
        const response = await h.app.inject({ method: method.toUpperCase() as 'GET', url: path });
        assert.equal(response.statusCode, 401, where);
      }
    }
    const query = (path: string) =>
      Object.fromEntries(
        (doc.paths[path]!.get!.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => [p.name, p.required === true]),
      );
    assert.deepEqual(query('/campaigns/list'), {
      page: false,
      include_archived: false,
      sort_direction: false,
      'last_edit.time[gt]': false,
    });
    assert.deepEqual(query('/campaigns/details'), { campaign_id: true });
    assert.deepEqual(query('/campaigns/data_series'), {
      campaign_id: true,
      length: true,
      ending_at: false,
      format: false,
    });
    assert.deepEqual(query('/sends/data_series'), {
      campaign_id: true,
      length: true,
      ending_at: false,
      format: false,
      send_id: true,
    });
    assert.ok(doc.paths['/sends/id/create']!.post!.requestBody?.content['application/json']);
  });

  it('serves the docs page and its assets locally, with no CDN', async () => {
    const page = await h.app.inject({ url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /swagger-ui/);
    assert.doesNotMatch(page.body, /(src|href)="(https?:)?\/\//);
    const bundle = await h.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(bundle.statusCode, 200);
    // The page loads the document from this server and never calls the public validator.
    const initializer = await h.app.inject({ url: '/docs/static/swagger-initializer.js' });
    assert.doesNotMatch(initializer.body, /unpkg|jsdelivr|cdnjs|validator\.swagger\.io/);
    assert.match(initializer.body, /"validatorUrl":null/);
  });
});
