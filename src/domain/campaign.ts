/**
 * The campaign model: a definition (SPEC §7) merged with what the events showed.
 */
import type { Channel } from './channels.js';

export interface VariationDefinition {
  readonly id: string;
  readonly name: string;
  readonly control?: boolean;
}

/** A conversion behavior as defined (SPEC §3); validated in src/domain/conversions.ts. */
export interface ConversionBehavior {
  readonly type: string;
  readonly window: number;
  readonly product?: string;
  readonly custom_event_name?: string;
  readonly app_ids?: readonly string[] | null;
}

/** The body of `POST /campaigns/define` and of `tally campaign define FILE.json`. */
export interface CampaignDefinition {
  readonly campaign_id: string;
  readonly name?: string;
  readonly description?: string;
  readonly is_api_campaign?: boolean;
  readonly archived?: boolean;
  readonly tags?: readonly string[];
  readonly channels?: readonly Channel[];
  readonly variations?: readonly VariationDefinition[];
  readonly conversion_behaviors?: readonly ConversionBehavior[];
}

export interface Variation {
  readonly id: string;
  readonly name: string;
  readonly control: boolean;
}

/** A campaign as the series endpoints see it. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  /** Defined channels plus any seen in events, in SPEC §5 order. */
  readonly channels: readonly Channel[];
  /** Defined order, then first seen (by earliest event instant, then id); control last. */
  readonly variations: readonly Variation[];
  readonly definition: CampaignDefinition | null;
}

/** SPEC §5: more than one (non-control) variation, or a control group. */
export function isMultivariate(campaign: Campaign): boolean {
  const controls = campaign.variations.filter((v) => v.control).length;
  return controls > 0 || campaign.variations.length - controls > 1;
}
