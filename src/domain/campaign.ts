/**
 * The campaign model: a definition (SPEC §7) merged with what the events showed.
 */
import { sortChannels, type Channel } from './channels.js';

export interface VariationDefinition {
  readonly id: string;
  readonly name: string;
  readonly control?: boolean;
  /** SPEC §2 "Push button clicks": the variation's buttons, in the order of their keys. */
  readonly push_buttons?: readonly string[];
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
  /**
   * Push button titles, in key order: the defined `push_buttons`, then the others its push
   * opens named, in order of first appearance. Title i makes `notif_button_<i+1>_<title>_click`.
   */
  readonly pushButtons: readonly string[];
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

/** A variation as its events showed it. */
export interface SeenVariation {
  readonly id: string;
  /** The latest event name; null or '' when no event named it. */
  readonly name: string | null;
  /** Whether any event enrolled a user in this variation's control group. */
  readonly control: boolean;
  /** Push button titles its opens named, in order of first appearance (instant, then id). */
  readonly buttons: readonly string[];
}

/** What a campaign's events showed, as a store reads it back. */
export interface SeenCampaign {
  /** The latest event name; null or '' when no event named it. */
  readonly name: string | null;
  readonly channels: readonly Channel[];
  /** In first-seen order (earliest event instant, then id). */
  readonly variations: readonly SeenVariation[];
}

/**
 * The campaign model: a stored definition (or none) merged with what the events showed. The
 * definition wins for a defined variation (name and control flag); an event name only fills
 * in a blank defined name. Variations seen but not defined follow in first-seen order.
 */
export function mergeCampaign(
  campaignId: string,
  definition: CampaignDefinition | null,
  seen: SeenCampaign,
): Campaign {
  const seenById = new Map(seen.variations.map((v) => [v.id, v]));
  const defined: Variation[] = (definition?.variations ?? []).map((v) => ({
    id: v.id,
    name: v.name || seenById.get(v.id)?.name || v.id,
    control: v.control === true,
    pushButtons: buttonOrder(v.push_buttons ?? [], seenById.get(v.id)?.buttons ?? []),
  }));
  const definedIds = new Set(defined.map((v) => v.id));
  const seenOnly: Variation[] = seen.variations
    .filter((v) => !definedIds.has(v.id))
    .map((v) => ({
      id: v.id,
      name: v.name || v.id,
      control: v.control,
      pushButtons: v.buttons,
    }));
  const all = [...defined, ...seenOnly];
  return {
    id: campaignId,
    name: definition?.name || seen.name || campaignId,
    channels: sortChannels([...(definition?.channels ?? []), ...seen.channels]),
    // Controls last (SPEC §5): the control entry follows the variations.
    variations: [...all.filter((v) => !v.control), ...all.filter((v) => v.control)],
    definition,
  };
}

/** SPEC §2: defined buttons keep their positions; buttons only seen take the next ones. */
function buttonOrder(defined: readonly string[], seen: readonly string[]): readonly string[] {
  return [...defined, ...seen.filter((title) => !defined.includes(title))];
}

/** The series key of the `index`-th (0-based) push button of a variation. */
export function pushButtonKey(index: number, title: string): string {
  return `notif_button_${index + 1}_${title}_click`;
}
