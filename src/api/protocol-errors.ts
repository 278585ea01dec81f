/**
 * Requests that Node's HTTP server would refuse before any route runs, answered as every
 * other error is (SPEC §6: JSON with a string `message`): Node itself answers a missing
 * `Host` and an unmet `Expect` with an empty body. Malformed URLs, oversized headers and
 * unparseable requests already reach Fastify's JSON answers (errors.ts, Fastify's clientError).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from './errors.js';

/** Node's own check sends `400` with no body; the hook below answers it as JSON instead. */
export const HTTP_SERVER_OPTIONS = { requireHostHeader: false } as const;

/** HTTP/1.1 requires `Host` (RFC 9112 §3.2); HTTP/1.0 does not. */
export async function requireHost(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { httpVersion } = request.raw;
  if (httpVersion !== '1.0' && (request.headers.host ?? '') === '') {
    return reply.code(400).send({ message: 'the Host header is required' } satisfies ErrorBody);
  }
}

/** An `Expect` other than `100-continue`: 417 with a JSON reason, not Node's empty one. */
export function answerUnmetExpectations(app: FastifyInstance): void {
  app.server.on('checkExpectation', (request, response) => {
    const body: ErrorBody = {
      message: `the Expect header ${JSON.stringify(request.headers.expect ?? '')} cannot be met; only 100-continue is supported`,
    };
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      connection: 'close',
    });
    response.end(JSON.stringify(body));
  });
}
