/**
 * Request logging that can never write an API key: the key travels in the Authorization
 * header (redacted, and never serialised anyway) or in the deprecated `api_key` query
 * parameter (stripped from every logged URL).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const question = url.indexOf('?');
  return question === -1 ? url : url.slice(0, question);
}

/**
 * True for every spelling of the `api_key` parameter a query parser might read as it:
 * any case, percent-encoded, and in array or object form (`api_key[]`, `API_KEY[0]`).
 */
function namesApiKey(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the raw text.
  }
  return /^api_key(\[[^\]]*\])*$/i.test(name.trim());
}

/** The URL with every `api_key` parameter removed (kept otherwise as sent). */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const kept = url
    .slice(question + 1)
    .split('&')
    .filter((pair) => !namesApiKey(pair.split('=', 1)[0]!));
  return kept.length === 0 ? url.slice(0, question) : `${url.slice(0, question)}?${kept.join('&')}`;
}

/** Fastify serialises `req` in some of its own logs; this keeps those free of keys too. */
function serializeRequest(request: { method?: string; url?: string }): Record<string, unknown> {
  return { method: request.method, url: redactUrl(request.url ?? '') };
}

/** The app's logger: the caller's pino logger with key-safe serializers and redaction. */
export function apiLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      serializers: { req: serializeRequest },
      redact: ['req.headers.authorization', 'headers.authorization', 'authorization'],
    },
  );
}

/**
 * One line per answered request, written when it completes (Fastify's default is two lines,
 * with the raw URL): method, key-free URL, status, duration and the caller's workspace.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: redactUrl(request.url),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      workspace: request.grant?.workspaceId ?? null,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request');
  }
}
