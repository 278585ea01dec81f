/**
 * `POST /users/track` (`users.track`, SPEC §7): Braze's body, validated by
 * src/ingest/users-track.ts. Events and purchases are stored as behavior events through the same
 * `Store.ingest` as `POST /events`, with ids that make a retried request a duplicate (see
 * users-track.ts), so a retry never counts twice. A 200 means they are durable.
 */
import { Type } from '@sinclair/typebox';
import {
  buildTrackAnswer,
  KIND_OF_ARRAY,
  parseUsersTrack,
  TRACK_ARRAYS,
} from '../../ingest/users-track.js';
import { CURRENTS_TYPE_OF_KIND } from '../../domain/behaviors.js';
import { behaviorEvent, currencyWarnings } from '../../ingest/track-events.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { ERROR_RESPONSES } from '../schemas.js';

const TrackAnswerSchema = Type.Object({
  message: Type.String(),
  attributes_processed: Type.Integer(),
  events_processed: Type.Integer(),
  purchases_processed: Type.Integer(),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String({ description: 'What is wrong, naming the field' }),
        input_array: Type.Union(TRACK_ARRAYS.map((name) => Type.Literal(name))),
        index: Type.Integer({ description: 'Position of the object in its array (0-based)' }),
      }),
    ),
  ),
  warnings: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Purchases in a currency the workspace has no USD rate for: no revenue',
    }),
  ),
});

/** Request-level refusals (not an object, over 75 objects) carry only a message. */
const TrackRefusalSchema = Type.Union([TrackAnswerSchema, Type.Object({ message: Type.String() })]);

export async function usersTrackRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.post(
    '/users/track',
    {
      config: { permission: 'users.track' },
      schema: {
        summary: 'Track custom events, purchases and attributes (Braze body)',
        body: Type.Unknown({ description: 'attributes, events and purchases: up to 75 of each' }),
        response: { 200: TrackAnswerSchema, 400: TrackRefusalSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const parsed = parseUsersTrack(request.body);
      if (!parsed.ok) return reply.code(400).send({ message: parsed.message });
      const answer = buildTrackAnswer(parsed.request);
      for (const error of parsed.request.errors) {
        if (error.input_array !== 'attributes') {
          deps.metrics?.countRejected(CURRENTS_TYPE_OF_KIND[KIND_OF_ARRAY[error.input_array]]);
        }
      }
      const events = parsed.request.behaviors.map(behaviorEvent);
      if (events.length === 0) return reply.code(answer.status).send(answer.body);
      const workspaceId = workspaceOf(request);
      const outcome = await deps.store.ingest(workspaceId, events);
      deps.metrics?.countStored(events, outcome);
      const warnings = currencyWarnings(events, await deps.store.currencyRates(workspaceId));
      const extra = warnings.length > 0 ? { warnings } : {};
      return reply.code(answer.status).send({ ...answer.body, ...extra });
    },
  );
}
