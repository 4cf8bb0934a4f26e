/**
 * The complex's virtual clock (epoch seconds) and a time-ordered event queue.
 *
 * Events are kept in a binary heap; cancelling is lazy (an event whose
 * `live()` check fails when it comes due is skipped), which keeps job
 * lifecycle changes O(log n) even with tens of thousands of jobs.
 */

export class VirtualClock {
  #now: number;

  constructor(start: number) {
    this.#now = Math.floor(start);
  }

  now(): number {
    return this.#now;
  }

  /** Moves forward only: the simulated world never runs backwards. */
  set(time: number): void {
    if (time > this.#now) this.#now = Math.floor(time);
  }
}

export interface SimEvent {
  time: number;
  /** Tie-breaker: events at the same second run in the order they were queued. */
  order: number;
  /** False once the event no longer applies (job deleted, rescheduled, ...). */
  live(): boolean;
  fire(): void;
}

export class EventQueue {
  #heap: SimEvent[] = [];
  #order = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(time: number, live: () => boolean, fire: () => void): void {
    this.#heap.push({ time, order: this.#order++, live, fire });
    this.#siftUp(this.#heap.length - 1);
  }

  /** Time of the earliest live event, dropping dead ones on the way. */
  peekTime(): number | undefined {
    while (this.#heap.length > 0 && !this.#heap[0].live()) this.#pop();
    return this.#heap[0]?.time;
  }

  /** Removes and returns the earliest event if it is due at or before `time`. */
  popDue(time: number): SimEvent | undefined {
    const next = this.peekTime();
    if (next === undefined || next > time) return undefined;
    return this.#pop();
  }

  #pop(): SimEvent {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #less(a: SimEvent, b: SimEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.order < b.order);
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#less(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && this.#less(heap[right], heap[smallest])) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
}
