/**
 * Seeded randomness for the demo: the same seed gives the same events on every machine, so a
 * demo can be reproduced and the generator's tests can compare runs. Math.random cannot be seeded.
 */

/** 32-bit integer mixing (murmur3's finaliser): independent-looking values from consecutive inputs. */
export function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) determined by the inputs alone (no generator state). */
export function hashUnit(...inputs: number[]): number {
  let h = 0x9e3779b9;
  for (const input of inputs) h = mix32(h ^ mix32(input));
  return h / 0x1_0000_0000;
}

/** mulberry32: tiny, fast, and good enough for synthetic data (not for anything secret). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed) || 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Exponentially distributed delay with the given mean: most reactions come soon, a few late. */
  delay(meanMs: number): number {
    return -Math.log(1 - this.next()) * meanMs;
  }

  /** How many times a repeatable action happens: 1, then each repeat with `repeat` probability. */
  repeats(repeat: number, max: number): number {
    let count = 1;
    while (count < max && this.chance(repeat)) count++;
    return count;
  }
}
