/**
 * Content negotiation on `Accept-Encoding` (RFC 9110 §12.5.3), for the answers Tally compresses.
 *
 *   prefersGzip('gzip, deflate, br')      → true
 *   prefersGzip('gzip;q=0, identity')     → false
 *   prefersGzip(undefined)                → false
 */

/** RFC 9110 §12.4.2: `0` to `1` with at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The weight of one entry's parameters (`q=0.5`; default 1), undefined when it is malformed. */
function weightOf(parameters: readonly string[]): number | undefined {
  const q = parameters
    .map((parameter) => parameter.split('=').map((part) => part.trim()))
    .find(([name]) => name?.toLowerCase() === 'q');
  if (q === undefined) return 1;
  const [, qvalue = ''] = q;
  return QVALUE.test(qvalue) ? Number(qvalue) : undefined;
}

/**
 * The weight of each coding the header names (lower case), the first entry of a coding
 * winning. An entry with a malformed weight is left out, as if it were not written.
 */
function codingWeights(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [name = '', ...parameters] = entry.split(';').map((part) => part.trim());
    const coding = name.toLowerCase();
    if (coding === '' || weights.has(coding)) continue;
    const weight = weightOf(parameters);
    if (weight !== undefined) weights.set(coding, weight);
  }
  return weights;
}

/**
 * Whether to answer with gzip: the client accepts it (`gzip` or, RFC 9110 §8.4.1.3, its alias
 * `x-gzip`; else `*`) with a weight above 0, and weighs the uncompressed answer (`identity`,
 * else `*`) no higher. An uncompressed answer is always acceptable, but a client that does not
 * weigh it has named what it prefers, so it ranks below gzip (as in Express's `negotiator`).
 * Without the header any coding is allowed in theory, but clients that send none (scripts,
 * load generators) rarely decode one, so they get the answer uncompressed.
 */
export function prefersGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  const weights = codingWeights(header);
  const wildcard = weights.get('*');
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? wildcard ?? 0;
  const identity = weights.get('identity') ?? wildcard ?? 0;
  return gzip > 0 && gzip >= identity;
}
