/**
 * SPEC §8's confidence computed the slow, independent way: the normal CDF integrated with
 * Simpson's rule rather than src/domain/rates.ts's closed-form approximation.
 */

/** Φ(x) by Simpson's rule over [−10, x]: simple and exact to ~1e-10. */
export function integratedCdf(x: number): number {
  const from = -10;
  const steps = 20_000;
  const h = (x - from) / steps;
  const density = (t: number): number => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let sum = density(from) + density(x);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * density(from + i * h);
  return (sum * h) / 3;
}

/** 1 − the two-sided p-value of the pooled two-proportion z-test; null where SPEC §8 shows none. */
export function expectedConfidence(c1: number, n1: number, c0: number, n0: number): number | null {
  if (n1 === 0 || n0 === 0) return null;
  const p = (c1 + c0) / (n1 + n0);
  if (p <= 0 || p >= 1) return null;
  const z = (c1 / n1 - c0 / n0) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
  return 1 - 2 * (1 - integratedCdf(Math.abs(z)));
}
