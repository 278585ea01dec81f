/**
 * The body of `POST /sends/id/create` (SPEC §7): `{"campaign_id", "send_id"?}`. A send id is
 * printable ASCII, 1 to 64 characters (Braze's rule); control characters are ASCII too but
 * only ever arrive by mistake and would corrupt a CSV export or a log line.
 */
import { randomUUID } from 'node:crypto';

export const MAX_SEND_ID_LENGTH = 64;
/** For the OpenAPI document; the same rule as isValidSendId. */
export const SEND_ID_PATTERN = '^[\\x20-\\x7E]+$';
const PRINTABLE_ASCII = new RegExp(SEND_ID_PATTERN);

export type SendIdRequest =
  | { readonly ok: true; readonly campaignId: string; readonly sendId: string }
  | { readonly ok: false; readonly message: string };

export function isValidSendId(value: string): boolean {
  return value.length <= MAX_SEND_ID_LENGTH && PRINTABLE_ASCII.test(value);
}

/** Validates the body; a missing send_id is generated (a UUID: 36 ASCII characters). */
export function readSendIdRequest(body: unknown): SendIdRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: 'the body must be a JSON object with a campaign_id' };
  }
  const { campaign_id: campaignId, send_id: sendId } = body as Record<string, unknown>;
  if (typeof campaignId !== 'string' || campaignId === '') {
    return { ok: false, message: 'campaign_id is required: a non-empty string' };
  }
  if (sendId === undefined || sendId === null) {
    return { ok: true, campaignId, sendId: randomUUID() };
  }
  if (typeof sendId !== 'string' || !isValidSendId(sendId)) {
    return {
      ok: false,
      message: `send_id must be a string of 1 to ${MAX_SEND_ID_LENGTH} printable ASCII characters`,
    };
  }
  return { ok: true, campaignId, sendId };
}
