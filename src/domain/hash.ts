import { createHash } from 'node:crypto';

/** A short, stable content hash (hex) used for conflict detection and idempotence keys. */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
