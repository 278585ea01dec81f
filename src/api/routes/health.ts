/**
 * Probes for orchestrators and load balancers (docs/deploy.md), answered without a key and never
 * rate limited (guard.ts skips routes marked `probe`):
 * - `GET /healthz`: the process is up and serving HTTP (a liveness probe: restart when it fails);
 * - `GET /readyz`: it can do its work now: the store answers and takes writes, and Redis answers
 *   when the rate limits live there (a readiness probe: send no traffic while it fails). 503
 *   with a JSON reason naming what is down.
 */
import { Type } from '@sinclair/typebox';
import type { RouteDeps, TallyInstance } from '../context.js';

const ProbeAnswer = Type.Object({ status: Type.String() });
const NotReady = Type.Object({ status: Type.String(), message: Type.String() });

export async function healthRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { probe: true },
      schema: { summary: 'Liveness: the process is up', response: { 200: ProbeAnswer } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { probe: true },
      schema: {
        summary: 'Readiness: the store (and Redis, when configured) answer',
        response: { 200: ProbeAnswer, 503: NotReady },
      },
    },
    async (_request, reply) => {
      const checks = await Promise.allSettled([deps.store.ready(), deps.limiter.ready()]);
      const failed = checks.flatMap((check) =>
        check.status === 'rejected' ? [(check.reason as Error).message] : [],
      );
      if (failed.length === 0) return { status: 'ready' };
      return reply.code(503).send({ status: 'not ready', message: failed.join('; ') });
    },
  );
}
