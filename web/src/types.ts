/** The API's answers as the dashboard reads them (SPEC §5, §7; docs/api.md). */
import type { SeriesDay } from '../../src/domain/rates.js';

export interface WorkspaceAnswer {
  readonly workspace: { readonly name: string; readonly time_zone: string };
  readonly key: { readonly permissions: readonly string[] };
}

export interface CampaignSummary {
  readonly id: string;
  readonly name: string;
  readonly last_edited: string;
  readonly is_api_campaign: boolean;
  readonly tags: readonly string[];
}

export interface ConversionBehavior {
  readonly type: string;
  readonly window: number;
  readonly custom_event_name?: string;
  readonly product?: string;
  readonly app_id?: string;
}

export interface CampaignDetails {
  readonly name: string;
  readonly description?: string;
  readonly created_at: string;
  readonly archived: boolean;
  readonly is_api_campaign?: boolean;
  readonly schedule_type?: string;
  readonly channels: readonly string[];
  readonly first_sent: string | null;
  readonly last_sent: string | null;
  readonly tags: readonly string[];
  readonly messages: Readonly<
    Record<string, { readonly channel?: string; readonly name?: string; readonly type?: string }>
  >;
  readonly conversion_behaviors: readonly ConversionBehavior[];
}

export interface SeriesAnswer {
  readonly data: readonly SeriesDay[];
}

export interface SendSummary {
  readonly send_id: string;
  readonly first_receipt: string | null;
}
