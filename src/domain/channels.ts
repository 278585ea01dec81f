/**
 * The message channels, in the order SPEC §5 puts them in a `messages` object.
 * Every other module takes its channel names and their order from here.
 */
export const CHANNELS = [
  'ios_push',
  'android_push',
  'kindle_push',
  'web_push',
  'email',
  'sms',
  'whats_app',
  'webhook',
  'content_cards',
  'trigger_in_app_message',
] as const;

export type Channel = (typeof CHANNELS)[number];

/** The four push channels (SPEC §2: one family, told apart by platform). */
export const PUSH_CHANNELS: readonly Channel[] = [
  'ios_push',
  'android_push',
  'kindle_push',
  'web_push',
];

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && CHANNEL_SET.has(value);
}

/** Sorts channel keys into the order of SPEC §5. */
export function sortChannels(channels: Iterable<Channel>): Channel[] {
  return [...new Set(channels)].sort((a, b) => CHANNELS.indexOf(a) - CHANNELS.indexOf(b));
}
