/** The per-workspace USD rate table's rules (SPEC §3 "Revenue"), shared by every store and the CLI. */

/**
 * Throws when `currency` is not an upper-case three-letter code other than USD (USD is always
 * 1) or the rate is not a positive finite number.
 */
export function checkCurrencyRate(currency: string, usdPerUnit: number): void {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new Error(
      `currency must be a three-letter ISO 4217 code in upper case (got ${JSON.stringify(currency)})`,
    );
  }
  if (currency === 'USD') throw new Error('USD needs no rate: it counts as is');
  if (!Number.isFinite(usdPerUnit) || usdPerUnit <= 0) {
    throw new Error(
      `the rate must be a positive number of USD per ${currency} (got ${usdPerUnit})`,
    );
  }
}
