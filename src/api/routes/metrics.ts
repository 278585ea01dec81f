/**
 * `GET /metrics`: Prometheus's text format (metrics.ts). No API key and no rate limit (a scraper
 * is not a workspace's client); with a metrics token, only `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '../errors.js';
import type { TallyMetrics } from '../metrics.js';

function sameToken(given: string, token: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function metricsRoute(
  app: FastifyInstance,
  metrics: TallyMetrics,
  token: string | null,
): Promise<void> {
  app.get(
    '/metrics',
    { config: { probe: true }, schema: { hide: true } },
    async (request, reply) => {
      if (token !== null) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
        if (!match || !sameToken(match[1]!, token)) {
          return reply.code(401).send({
            message: 'the metrics token is required: Authorization: Bearer <token>',
          } satisfies ErrorBody);
        }
      }
      return reply
        .header('content-type', metrics.registry.contentType)
        .send(await metrics.registry.metrics());
    },
  );
}
