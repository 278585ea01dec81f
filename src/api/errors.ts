/**
 * Every error answer is JSON `{"message": "..."}` (SPEC §6): schema failures name the
 * parameter, Fastify's own errors get plain messages, and internal errors say nothing about
 * the internals (the details go to the log).
 */
import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';

/** Where a schema error is: `body`, `querystring`, `params` or `headers`. */
type SchemaErrorDataVar = NonNullable<FastifyError['validationContext']>;
import { pathOf } from './logging.js';

export interface ErrorBody {
  readonly message: string;
}

/** Ajv's errors, with `parentSchema` present because the app compiles with `verbose: true`. */
type SchemaError = FastifySchemaValidationError & { parentSchema?: Record<string, unknown> };

const PLACE: Record<SchemaErrorDataVar, string> = {
  querystring: 'query string',
  body: 'body',
  params: 'path',
  headers: 'headers',
};

/** `/conversion_behaviors/1/window` → `conversion_behaviors[1].window`. */
function fieldName(error: SchemaError): string {
  const segments = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  return segments.reduce(
    (name, segment) =>
      /^\d+$/.test(segment) ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment,
    '',
  );
}

/** What the schema wants, in words, from the schema itself so messages can't drift from it. */
function expectation(schema: Record<string, unknown> | undefined): string | undefined {
  if (!schema) return undefined;
  const { type, minimum, maximum, minLength, enum: allowed } = schema;
  if (Array.isArray(allowed)) return `one of ${allowed.join(', ')}`;
  if (type === 'integer' && typeof minimum === 'number' && typeof maximum === 'number') {
    return `an integer from ${minimum} to ${maximum}`;
  }
  if (type === 'integer') return 'an integer';
  if (type === 'string' && minLength === 1) return 'a non-empty string';
  if (type === 'string') return 'a string';
  if (type === 'boolean') return 'true or false';
  return undefined;
}

/** Fastify's `schemaErrorFormatter`: one message naming the first failing parameter. */
export function formatSchemaErrors(errors: SchemaError[], dataVar: SchemaErrorDataVar): Error {
  const error = errors[0];
  if (!error) return new Error(`invalid ${PLACE[dataVar]}`);
  const name = fieldName(error);
  if (error.keyword === 'required') {
    // parentSchema is the object here; the missing property's own schema says what it wants.
    const properties = error.parentSchema?.properties as
      Record<string, Record<string, unknown>> | undefined;
    const wanted = expectation(properties?.[name]);
    return new Error(wanted ? `${name} is required: ${wanted}` : `${name} is required`);
  }
  const subject = name || `the ${PLACE[dataVar]}`;
  const wanted = expectation(error.parentSchema);
  return new Error(
    wanted ? `${subject} must be ${wanted}` : `${subject} ${error.message ?? 'is invalid'}`,
  );
}

function contentTypeOf(request: FastifyRequest): string {
  return JSON.stringify(request.headers['content-type'] ?? '');
}

/** The client-facing message of a 4xx error raised by Fastify or by a route. */
function clientMessage(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported Content-Type ${contentTypeOf(request)}: send ${request.routeOptions.config.accepts ?? 'application/json'}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty: send a JSON object';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON';
    default:
      // JSON.parse's SyntaxError (via secure-json-parse) carries status 400 and a useful position.
      return error instanceof SyntaxError
        ? `the body is not valid JSON: ${error.message}`
        : error.message;
  }
}

export function handleError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 500;
  if (error.validation) {
    void reply.code(400).send({ message: error.message } satisfies ErrorBody);
    return;
  }
  if (status >= 500 || status < 400) {
    request.log.error({ err: error }, 'request failed');
    void reply
      .code(500)
      .send({ message: 'internal error; the details are in the server log' } satisfies ErrorBody);
    return;
  }
  void reply.code(status).send({ message: clientMessage(error, request) } satisfies ErrorBody);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({
    message: `no such endpoint: ${request.method} ${pathOf(request.url)}`,
  } satisfies ErrorBody);
}
