/** How numbers read on screen: grouped integers, one-decimal percents, USD to the cent. "–": none. */
export const NONE = '–';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export const formatCount = (value: number): string => integer.format(value);
export const formatUsd = (value: number): string => usd.format(value);

export const formatPercent = (value: number | null): string =>
  value === null ? NONE : `${(value * 100).toFixed(1)}%`;

export const formatLift = (value: number | null): string =>
  value === null ? NONE : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

export function formatFigure(field: string, value: number): string {
  return field === 'revenue' ? formatUsd(value) : formatCount(value);
}

/** A metric name as a heading: `unique_opens` → "unique opens". */
export const labelOf = (field: string): string => field.replace(/_/g, ' ');

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  ios_push: 'iOS push',
  android_push: 'Android push',
  kindle_push: 'Kindle push',
  web_push: 'Web push',
  email: 'Email',
  sms: 'SMS',
  whats_app: 'WhatsApp',
  webhook: 'Webhook',
  content_cards: 'Content Cards',
  trigger_in_app_message: 'In-app message',
};

export const channelLabel = (channel: string): string => CHANNEL_LABELS[channel] ?? channel;
