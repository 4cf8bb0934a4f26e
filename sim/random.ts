/**
 * A small seeded PRNG (mulberry32) so that a complex built with the same seed
 * and driven by the same operations ends in the same state, byte for byte.
 * `Math.random` is never used by the engine.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    // Mix the seed once so that nearby seeds (1, 2, 3) give unrelated streams.
    this.#state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 0x6d2b79f5;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[item, weight], ...]`. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    // Indexed loops: the scenario builder draws tens of thousands of times.
    let total = 0;
    for (let i = 0; i < choices.length; i++) total += choices[i][1];
    let r = this.next() * total;
    for (let i = 0; i < choices.length; i++) {
      r -= choices[i][1];
      if (r < 0) return choices[i][0];
    }
    return choices[choices.length - 1][0];
  }
}
