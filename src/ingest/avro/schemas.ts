/**
 * Avro schemas of the Braze Currents event types Tally counts (SPEC §2, §3), as Braze documents
 * them for Data Warehouse Storage (the "Cloud Storage" tab of the Currents event glossary).
 *
 * They are data: field groups shared by many types, and one table from event type to its groups.
 * The import never needs them to read a file (an Avro container carries its writer's schema, so
 * real exports with more or fewer fields read fine); they document the layout Tally expects and
 * let tests and tools write files exactly as a Currents sink would.
 *
 * A field is written `name:type` (required) or `name?:type` (nullable: `["null", type]`, default
 * null). Currents records carry no `event_type`: the export folder `event_type=<type>` names it.
 */
import type { Type } from 'avsc';

/** avsc does not export its schema type; this is what `Type.forSchema` takes. */
export type AvroSchema = Parameters<typeof Type.forSchema>[0];

type FieldSpec = `${string}:${'string' | 'int' | 'long' | 'double' | 'boolean' | 'strings'}`;

/** Every Currents event: who and when. */
const USER: readonly FieldSpec[] = [
  'id:string',
  'user_id:string',
  'external_user_id?:string',
  'time:int',
  'timezone?:string',
  'app_group_id?:string',
];

/** Campaign / Canvas tracking properties of message events. */
const TRACKING: readonly FieldSpec[] = [
  'campaign_id?:string',
  'campaign_name?:string',
  'message_variation_id?:string',
  'message_variation_name?:string',
  'canvas_id?:string',
  'canvas_name?:string',
  'canvas_variation_id?:string',
  'canvas_variation_name?:string',
  'canvas_step_id?:string',
  'canvas_step_name?:string',
  'canvas_step_message_variation_id?:string',
  'send_id?:string',
  'dispatch_id?:string',
];

/** The app and device an SDK event came from. */
const DEVICE: readonly FieldSpec[] = [
  'app_id?:string',
  'platform?:string',
  'os_version?:string',
  'device_model?:string',
  'device_id?:string',
];

const AD_TRACKING: readonly FieldSpec[] = [
  'ad_id?:string',
  'ad_id_type?:string',
  'ad_tracking_enabled?:boolean',
];

const MESSAGE_EXTRAS: readonly FieldSpec[] = ['message_extras?:string'];
const EMAIL: readonly FieldSpec[] = ['email_address:string', 'ip_pool?:string'];
const EMAIL_CLIENT: readonly FieldSpec[] = [
  'user_agent?:string',
  'device_class?:string',
  'device_os?:string',
  'browser?:string',
  'is_amp?:boolean',
];
const PHONE: readonly FieldSpec[] = [
  'to_phone_number?:string',
  'from_phone_number?:string',
  'subscription_group_id?:string',
];
const PROVIDER_ERROR: readonly FieldSpec[] = [
  'provider_error_code?:string',
  'provider_error_string?:string',
];

/** Campaign properties of campaign-level events (control enrolment, conversion). */
const CAMPAIGN_EVENT: readonly FieldSpec[] = [
  'campaign_id?:string',
  'campaign_name?:string',
  'message_variation_id?:string',
  'message_variation_name?:string',
  'send_id?:string',
];
const PUSH = [...USER, ...TRACKING, ...DEVICE];
const MAIL = [...USER, ...TRACKING, ...EMAIL];
const SMS = [...USER, ...TRACKING, ...PHONE];
const CARD = [...USER, ...TRACKING, ...DEVICE, 'content_card_id?:string'] as const;
const IN_APP = [...USER, ...TRACKING, ...DEVICE, 'card_id?:string'] as const;

/** Event type → its fields, in Braze's documented order of groups. */
const EVENT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  'users.messages.pushnotification.Send': [...PUSH, ...AD_TRACKING, ...MESSAGE_EXTRAS],
  'users.messages.pushnotification.Open': [
    ...PUSH,
    'button_action_type?:string',
    'button_string?:string',
  ],
  'users.messages.pushnotification.InfluencedOpen': PUSH,
  'users.messages.pushnotification.Bounce': [...PUSH, ...AD_TRACKING],

  'users.messages.email.Send': [...MAIL, ...MESSAGE_EXTRAS],
  'users.messages.email.Delivery': [...MAIL, 'sending_ip?:string'],
  'users.messages.email.Open': [...MAIL, ...EMAIL_CLIENT, 'machine_open?:string'],
  'users.messages.email.Click': [
    ...MAIL,
    ...EMAIL_CLIENT,
    'url?:string',
    'link_id?:string',
    'link_alias?:string',
  ],
  'users.messages.email.Bounce': [...MAIL, 'sending_ip?:string', 'bounce_reason?:string'],
  'users.messages.email.SoftBounce': [...MAIL, 'sending_ip?:string', 'bounce_reason?:string'],
  'users.messages.email.Deferral': [...MAIL, 'sending_ip?:string', 'deferral_reason?:string'],
  'users.messages.email.MarkAsSpam': [...MAIL, 'user_agent?:string'],
  'users.messages.email.Unsubscribe': MAIL,

  'users.messages.sms.Send': [...SMS, 'category?:string', ...MESSAGE_EXTRAS],
  'users.messages.sms.CarrierSend': SMS,
  'users.messages.sms.Delivery': SMS,
  'users.messages.sms.Rejection': [...SMS, ...PROVIDER_ERROR],
  'users.messages.sms.DeliveryFailure': [...SMS, ...PROVIDER_ERROR],
  'users.messages.sms.ShortLinkClick': [
    ...SMS,
    'url?:string',
    'short_url?:string',
    'user_agent?:string',
  ],
  'users.messages.sms.InboundReceive': [
    ...SMS,
    'inbound_phone_number?:string',
    'action?:string',
    'message_body?:string',
    'media_urls?:strings',
  ],

  'users.messages.whatsapp.Send': [...SMS, ...MESSAGE_EXTRAS],
  'users.messages.whatsapp.Delivery': SMS,
  'users.messages.whatsapp.Failure': [...SMS, ...PROVIDER_ERROR],
  'users.messages.whatsapp.Read': SMS,

  'users.messages.webhook.Send': [...USER, ...TRACKING, ...MESSAGE_EXTRAS],
  'users.messages.webhook.Failure': [
    ...USER,
    ...TRACKING,
    'url?:string',
    'http_status_code?:int',
    'error_message?:string',
  ],

  'users.messages.contentcard.Send': [...CARD, ...MESSAGE_EXTRAS],
  'users.messages.contentcard.Impression': CARD,
  'users.messages.contentcard.Click': CARD,
  'users.messages.contentcard.Dismiss': CARD,

  'users.messages.inappmessage.Impression': IN_APP,
  'users.messages.inappmessage.Click': [...IN_APP, 'button_id?:string'],

  'users.campaigns.EnrollInControl': [...USER, ...CAMPAIGN_EVENT, 'app_id?:string'],
  'users.campaigns.Conversion': [
    ...USER,
    ...CAMPAIGN_EVENT,
    'dispatch_id?:string',
    'app_id?:string',
    'conversion_behavior?:string',
    'conversion_behavior_index?:int',
  ],

  'users.behaviors.Purchase': [
    ...USER,
    ...DEVICE,
    ...AD_TRACKING,
    'product_id:string',
    'price:double',
    'currency:string',
    // A JSON-encoded object, as Braze exports custom properties.
    'properties?:string',
  ],
  'users.behaviors.CustomEvent': [
    ...USER,
    ...DEVICE,
    ...AD_TRACKING,
    'name:string',
    'properties?:string',
  ],
  'users.behaviors.app.SessionStart': [...USER, ...DEVICE, 'session_id:string'],
};

/** Every event type with a schema here, in table order. */
export const CURRENTS_EVENT_TYPES: readonly string[] = Object.keys(EVENT_FIELDS);

function avroType(type: string): AvroSchema {
  return type === 'strings' ? { type: 'array', items: 'string' } : (type as AvroSchema);
}

function avroField(spec: FieldSpec): { name: string; type: AvroSchema; default?: null } {
  const colon = spec.indexOf(':');
  const rawName = spec.slice(0, colon);
  const type = avroType(spec.slice(colon + 1));
  return rawName.endsWith('?')
    ? { name: rawName.slice(0, -1), type: ['null', type] as AvroSchema, default: null }
    : { name: rawName, type };
}

/**
 * The Avro record schema of one event type; undefined for a type without one here.
 * Record names must be Avro names, so the dotted type becomes `users_messages_email_Send`.
 */
export function currentsSchema(eventType: string): AvroSchema | undefined {
  const fields = Object.hasOwn(EVENT_FIELDS, eventType) ? EVENT_FIELDS[eventType] : undefined;
  if (fields === undefined) return undefined;
  return {
    type: 'record',
    name: eventType.replaceAll('.', '_'),
    namespace: 'com.braze.currents',
    fields: fields.map(avroField),
  } as AvroSchema;
}
