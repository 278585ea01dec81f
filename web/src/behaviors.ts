/** Conversion behaviors as the page names them: "Makes Any Purchase (3 d)", "signup (1 d)". */
import type { ConversionBehavior } from './types.js';

const windowText = (seconds: number): string =>
  seconds % 86_400 === 0
    ? `${seconds / 86_400} d`
    : seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : `${seconds} s`;

/** Short: the custom event's name, the product bought, else the behavior's type. */
export function behaviorName(behavior: ConversionBehavior): string {
  if (behavior.custom_event_name) return behavior.custom_event_name;
  if (behavior.product) return `buys ${behavior.product}`;
  return behavior.type;
}

/** In full, with its window: "Performs Custom Event: signup (1 d)". */
export function behaviorLabel(behavior: ConversionBehavior): string {
  const detail = behavior.custom_event_name ?? behavior.product ?? behavior.app_id;
  return `${behavior.type}${detail ? `: ${detail}` : ''} (${windowText(behavior.window)})`;
}
