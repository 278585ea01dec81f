/**
 * The dashboard (web/, built into dist/web by scripts/build-web.js): static files served by
 * @fastify/static at `/`, and the same page for every dashboard path (`/campaign/<id>`), where
 * the page routes itself. The page is a client of the public API with the key the user pastes;
 * it holds no data and needs no key to load.
 *
 * Assets carry a content hash in their names, so they are cached for good; the page itself is
 * revalidated so a new build shows at once. The content security policy allows only this origin:
 * no script, style or request goes anywhere else, and no referrer leaves the page.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** dist/src/api/dashboard.js → dist/web/ (index.html, and assets/ with hashed names). */
export const DASHBOARD_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const ASSETS = join(DASHBOARD_ROOT, 'assets');

/** The paths the page routes itself (web/src/routes.ts). */
export const DASHBOARD_PAGES = ['/', '/campaign/*'] as const;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function sendPage(reply: FastifyReply) {
  return reply
    .headers(SECURITY_HEADERS)
    .header('cache-control', 'no-cache')
    .sendFile('index.html', DASHBOARD_ROOT, { cacheControl: false });
}

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  if (!existsSync(DASHBOARD_ROOT)) {
    app.log.warn(`no dashboard at ${DASHBOARD_ROOT}: run \`npm run build\` to build web/`);
    return;
  }
  await app.register(fastifyStatic, {
    root: ASSETS,
    prefix: '/assets/',
    // Only the files of the build get routes; any other path stays the API's JSON 404.
    wildcard: false,
    index: false,
    immutable: true,
    maxAge: '365d',
    setHeaders: (response) => {
      void response.headers(SECURITY_HEADERS);
    },
  });
  for (const path of DASHBOARD_PAGES) {
    app.get(path, { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  }
}
