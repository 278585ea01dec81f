/**
 * `POST /events` (permission `events.write`): Currents events as a JSON array,
 * `{"events": [...]}` or NDJSON, up to 10 MB and 10,000 events. A 200 means every accepted
 * event is durable (Store.ingest).
 */
import { Type } from '@sinclair/typebox';
import { MAX_BODY_BYTES, parseEventsBody } from '../../ingest/body.js';
import { buildIngestAnswer, prepareBatch } from '../../ingest/batch.js';
import { currencyWarnings } from '../../ingest/track-events.js';
import type { IngestOutcome } from '../../store/store.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { ERROR_RESPONSES, ErrorSchema } from '../schemas.js';

/** The types body.ts frames; any other Content-Type is a 415. */
const EVENT_CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'application/ndjson'];

const NOTHING_STORED: IngestOutcome = {
  accepted: 0,
  duplicates: 0,
  duplicatePositions: [],
  ignored: 0,
  conflicts: [],
};

const IngestAnswerSchema = Type.Object({
  message: Type.String(),
  accepted: Type.Integer({ description: 'Newly stored events that count for a campaign' }),
  duplicates: Type.Integer({
    description: 'Events whose id was already stored with the same content',
  }),
  ignored: Type.Integer({ description: 'Newly stored events that count nowhere' }),
  conflicts: Type.Integer({
    description: 'Events whose id was stored with other content (not applied)',
  }),
  errors: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the event in the request (0-based)' }),
      id: Type.Optional(Type.String()),
      message: Type.String(),
    }),
  ),
  warnings: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Purchases in a currency the workspace has no USD rate for: no revenue',
    }),
  ),
});

const IngestRefusalSchema = Type.Composite([
  Type.Partial(Type.Omit(IngestAnswerSchema, ['message'])),
  ErrorSchema,
]);

export async function eventsRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  // This plugin's scope only: the body reaches parseEventsBody as text, so NDJSON and JSON are
  // framed in one place and a 10,000-event JSON array is parsed once, not twice.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    EVENT_CONTENT_TYPES,
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/events',
    {
      config: { permission: 'events.write', accepts: 'application/json or application/x-ndjson' },
      bodyLimit: MAX_BODY_BYTES,
      schema: {
        summary: 'Ingest Currents events',
        body: Type.String({
          description:
            'A JSON array of events, {"events": [...]}, or NDJSON (Content-Type: application/x-ndjson)',
        }),
        // A 400 with nothing valid still carries the counts and errors; other 4xx only a message.
        response: { 200: IngestAnswerSchema, 400: IngestRefusalSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const parsed = parseEventsBody(request.body, request.headers['content-type']);
      if (!parsed.ok) return reply.code(parsed.status).send({ message: parsed.message });
      const prepared = prepareBatch(parsed.items);
      const outcome =
        prepared.events.length === 0
          ? NOTHING_STORED
          : await deps.store.ingest(workspaceOf(request), prepared.events);
      const answer = buildIngestAnswer(outcome, prepared);
      deps.metrics?.countIngest(parsed.items, prepared, outcome);
      const warnings =
        prepared.events.length === 0
          ? []
          : currencyWarnings(prepared.events, await deps.store.currencyRates(workspaceOf(request)));
      const extra = warnings.length > 0 ? { warnings } : {};
      return reply.code(answer.status).send({ ...answer.body, ...extra });
    },
  );
}
