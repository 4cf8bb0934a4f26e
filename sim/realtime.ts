/**
 * Demo mode's clock: simulated time runs at `speed` × real time.
 *
 * Rather than a background timer, the complex is brought up to date just
 * before each command runs, so an idle demo costs nothing and every answer
 * reflects the time that has really passed (sped up).
 */
import type { PbsInstallation, Runner, RunOptions, RunResult } from "../src/pbs/runner.ts";
import type { ComplexApi } from "./model.ts";

export class RealtimeRunner implements Runner {
  readonly #inner: Runner;
  readonly #complex: ComplexApi;
  readonly #speed: number;
  readonly #now: () => number;
  readonly #startRealMs: number;
  /** Simulated seconds applied so far (the clock moves in whole seconds). */
  #applied = 0;

  constructor(inner: Runner, complex: ComplexApi, speed: number, now: () => number = Date.now) {
    this.#inner = inner;
    this.#complex = complex;
    this.#speed = speed;
    this.#now = now;
    this.#startRealMs = now();
  }

  /** Applies the simulated time that has passed since the last call. */
  catchUp(): void {
    // Derived from the start each time, so rounding never accumulates.
    const due = Math.floor(((this.#now() - this.#startRealMs) * this.#speed) / 1000);
    if (due > this.#applied) {
      this.#complex.advance(due - this.#applied);
      this.#applied = due;
    }
  }

  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.catchUp();
    return this.#inner.run(argv, options);
  }

  describeInstallation(): PbsInstallation {
    return this.#inner.describeInstallation?.() ??
      { source: "simulator", description: "a simulated PBS complex (demo mode)" };
  }
}
