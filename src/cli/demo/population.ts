/**
 * The demo's users: a fixed population whose traits (reachable channels, how engaged they are)
 * follow from the seed, so the same user behaves alike across campaigns and days, as real
 * users do. Campaigns draw recipients from it; repeat sends to the same users are what make
 * the 7-day unique-open rule and per-card unique impressions visible in the series.
 */
import { hashUnit } from './random.js';

export const DEMO_POPULATION = 40_000;

export type PushPlatform = 'ios' | 'android';

export interface DemoUser {
  readonly index: number;
  /** Braze's own id of the user, on every event. */
  readonly brazeId: string;
  /** The customer's id; null for anonymous users, whose user key is then `brazeId` (SPEC §1). */
  readonly externalId: string | null;
  readonly email: boolean;
  /** The app platform the user has push enabled on; null: no push. */
  readonly push: PushPlatform | null;
  readonly webPush: boolean;
  readonly phone: boolean;
  readonly whatsApp: boolean;
  /** Multiplies engagement probabilities: a few users open everything, most rarely do. */
  readonly engagement: number;
}

function demoUser(seed: number, index: number): DemoUser {
  const trait = (n: number): number => hashUnit(seed, index, n);
  const platform = trait(2);
  return {
    index,
    brazeId: `braze_${index.toString(16).padStart(6, '0')}`,
    // About one user in ten is anonymous: known only by Braze's user_id.
    externalId: trait(1) < 0.1 ? null : `user_${index}`,
    email: trait(3) < 0.85,
    push: platform < 0.45 ? 'ios' : platform < 0.8 ? 'android' : null,
    webPush: trait(4) < 0.3,
    phone: trait(5) < 0.45,
    whatsApp: trait(6) < 0.3,
    // Skewed: median about 0.8, a long tail of heavy users up to 3.
    engagement: Math.min(3, 0.25 + 1.5 * trait(7) ** 2 + 1.25 * trait(8) ** 6),
  };
}

export function createPopulation(seed: number, size = DEMO_POPULATION): DemoUser[] {
  return Array.from({ length: size }, (_, index) => demoUser(seed, index));
}
