/**
 * What `tally demo` prints once it serves: the dashboard's address and the key to sign in with,
 * then commands to paste. Each command carries the key itself, so it works in any shell without
 * setting a variable first. The key is never put in the dashboard's URL (it would end up in
 * browser history and server logs): the user pastes it into the sign-in form.
 */
import { formatDay } from '../../domain/time.js';
import { priceAlertSendId } from './campaigns.js';

export interface DemoAccess {
  /** Base URL of the running server. */
  readonly url: string;
  readonly key: string;
  /** The last day of the demo data (day number). */
  readonly endDay: number;
  /** Epoch ms, for the instant of the example event. */
  readonly nowMs: number;
}

export function demoInstructions({ url, key, endDay, nowMs }: DemoAccess): string {
  const auth = `-H "Authorization: Bearer ${key}"`;
  const get = (path: string): string => `curl -s "${url}${path}" ${auth}`;
  const example = {
    id: `try-${nowMs}`,
    event_type: 'users.messages.email.Open',
    time: Math.floor(nowMs / 1000),
    external_user_id: 'user_1',
    campaign_id: 'demo_spring_sale',
    message_variation_id: 'spring_sale_v1',
  };
  return [
    `Tally demo: workspace "demo", 90 days of data up to ${formatDay(endDay)}, served at ${url}`,
    '',
    `Dashboard: open ${url}/ in a browser and sign in with this API key`,
    '(all permissions; it is shown only once, make more with `tally key create`):',
    `  ${key}`,
    '',
    `API reference: ${url}/docs`,
    '',
    '# Multichannel campaign (email + iOS push + Android push), last 14 days',
    get('/campaigns/data_series?campaign_id=demo_spring_sale&length=14'),
    '',
    '# A/B test with a control group (in-app messages), last 7 days',
    get('/campaigns/data_series?campaign_id=demo_onboarding_tips&length=7'),
    '',
    '# SMS campaign (carrier sends, deliveries, clicks, opt-outs, HELP replies), last 7 days',
    get('/campaigns/data_series?campaign_id=demo_sms_flash&length=7'),
    '',
    '# One send of the API campaign: its own series covers the 14 days after it went out',
    get(
      `/sends/data_series?campaign_id=demo_price_alerts&send_id=${priceAlertSendId(endDay, 10)}&length=14`,
    ),
    '',
    '# Every campaign',
    get('/campaigns/list'),
    '',
    '# Ingest an event (post it twice: the second answer counts it as a duplicate)',
    `curl -s -X POST "${url}/events" ${auth} -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify([example])}'`,
    '',
  ].join('\n');
}
