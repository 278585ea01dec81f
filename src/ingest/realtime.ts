/**
 * Braze's real-time Currents export, the "Custom HTTP Connector" (SPEC §2): each event of a
 * batch is nested as
 *   {"event_type", "id", "time", "user": {"user_id", "external_user_id", ...},
 *    "properties": {...every other field of the flat record...}}
 * with a behavior's own properties under `properties.custom_properties` or
 * `properties.purchase_properties`. Such an event is read exactly as the flat record it nests, so
 * this module only turns it back into that record; everything after is the flat path.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Where the connector puts a behavior's own properties (the flat record's `properties`). */
const OWN_PROPERTIES = ['custom_properties', 'purchase_properties'] as const;

/**
 * The flat Currents record of an event: a nested one (recognised by its `user` object, which no
 * flat record has) unnested, any other returned as it is. The envelope's own fields win over a
 * same-named field inside `user` or `properties`.
 */
export function flatRecordOf(event: Json): Json {
  if (!isObject(event.user)) return event;
  const { user, properties, ...envelope } = event;
  const flat: Json = {};
  let own: unknown;
  if (isObject(properties)) {
    for (const [key, value] of Object.entries(properties)) {
      if ((OWN_PROPERTIES as readonly string[]).includes(key)) own ??= value;
      else flat[key] = value;
    }
  } else if (properties !== undefined) {
    own = properties;
  }
  Object.assign(flat, user, envelope);
  if (own !== undefined && own !== null) flat.properties = own;
  return flat;
}
