import assert from "node:assert/strict";
import { ReadCache } from "../../src/service/cache.ts";

/** A load whose result the test decides, counting how often it was started. */
function controlledLoad<T>() {
  const pending: PromiseWithResolvers<T>[] = [];
  return {
    pending,
    get calls() {
      return pending.length;
    },
    load: (): Promise<T> => {
      const deferred = Promise.withResolvers<T>();
      pending.push(deferred);
      return deferred.promise;
    },
  };
}

/** Lets the cache's own settle handlers run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("ReadCache", async (t) => {
  await t.step("two concurrent get() calls run load once and share its value", async () => {
    const cache = new ReadCache(1_000, () => 0);
    const c = controlledLoad<string>();
    const first = cache.get("k", c.load);
    const second = cache.get("k", c.load);
    assert.equal(c.calls, 1);
    c.pending[0].resolve("value");
    assert.deepEqual(await Promise.all([first, second]), ["value", "value"]);
    assert.deepEqual(cache.stats(), { hits: 1, misses: 1, entries: 1 });
  });

  await t.step("different keys load independently", async () => {
    const cache = new ReadCache(1_000, () => 0);
    let calls = 0;
    const load = (v: string) => () => {
      calls++;
      return Promise.resolve(v);
    };
    assert.equal(await cache.get("a", load("A")), "A");
    assert.equal(await cache.get("b", load("B")), "B");
    assert.equal(calls, 2);
    assert.equal(cache.stats().entries, 2);
  });

  await t.step(
    "a settled value is served until the TTL, counted from when it settled",
    async () => {
      let now = 0;
      const cache = new ReadCache(1_000, () => now);
      const c = controlledLoad<number>();
      const first = cache.get("k", c.load);
      now = 500; // the command took 500 ms; the TTL starts when it answered
      c.pending[0].resolve(1);
      assert.equal(await first, 1);
      await settle();

      now = 1_499;
      assert.equal(await cache.get("k", c.load), 1);
      assert.equal(c.calls, 1);

      now = 1_500;
      const reloaded = cache.get("k", c.load);
      assert.equal(c.calls, 2);
      c.pending[1].resolve(2);
      assert.equal(await reloaded, 2);
    },
  );

  await t.step("TTL 0 serves nothing once settled but still shares an in-flight load", async () => {
    const cache = new ReadCache(0, () => 42);
    const c = controlledLoad<number>();
    const a = cache.get("k", c.load);
    const b = cache.get("k", c.load);
    assert.equal(c.calls, 1);
    c.pending[0].resolve(7);
    assert.deepEqual(await Promise.all([a, b]), [7, 7]);
    await settle();
    const again = cache.get("k", c.load);
    assert.equal(c.calls, 2);
    c.pending[1].resolve(8);
    assert.equal(await again, 8);
  });

  await t.step(
    "failures are not cached: concurrent callers share it, the next caller retries",
    async () => {
      const cache = new ReadCache(60_000, () => 0);
      const c = controlledLoad<string>();
      const a = cache.get("k", c.load);
      const b = cache.get("k", c.load);
      c.pending[0].reject(new Error("qstat timed out"));
      await assert.rejects(a, /qstat timed out/);
      await assert.rejects(b, /qstat timed out/);
      await settle();
      assert.equal(cache.stats().entries, 0);

      const retry = cache.get("k", c.load);
      assert.equal(c.calls, 2);
      c.pending[1].resolve("ok");
      assert.equal(await retry, "ok");
    },
  );

  await t.step("clear() drops settled values", async () => {
    const cache = new ReadCache(60_000, () => 0);
    let calls = 0;
    const load = () => Promise.resolve(++calls);
    assert.equal(await cache.get("k", load), 1);
    assert.equal(await cache.get("k", load), 1);
    cache.clear();
    assert.equal(await cache.get("k", load), 2);
  });

  await t.step(
    "clear() during an in-flight load: its callers get the result, later callers never do",
    async () => {
      const cache = new ReadCache(60_000, () => 0);
      const c = controlledLoad<string>();
      const before = cache.get("k", c.load);
      cache.clear(); // a write happened while qstat was running
      c.pending[0].resolve("stale");
      assert.equal(await before, "stale");
      await settle();

      const after = cache.get("k", c.load);
      assert.equal(c.calls, 2, "the read after the write must run the command again");
      c.pending[1].resolve("fresh");
      assert.equal(await after, "fresh");
      assert.equal(await cache.get("k", c.load), "fresh");
      assert.equal(c.calls, 2);
    },
  );

  await t.step(
    "a load superseded by clear() cannot stamp or evict the newer entry when it settles",
    async () => {
      const cache = new ReadCache(60_000, () => 0);
      const c = controlledLoad<string>();
      const old = cache.get("k", c.load);
      cache.clear();
      const current = cache.get("k", c.load);
      c.pending[1].resolve("fresh");
      assert.equal(await current, "fresh");
      c.pending[0].reject(new Error("old load failed late"));
      await assert.rejects(old, /failed late/);
      await settle();
      // The late failure of the superseded load must not drop the fresh entry.
      assert.equal(await cache.get("k", c.load), "fresh");
      assert.equal(c.calls, 2);

      // And a superseded load that succeeds late must not replace it either.
      const c2 = controlledLoad<string>();
      const old2 = cache.get("j", c2.load);
      cache.clear();
      const current2 = cache.get("j", c2.load);
      c2.pending[1].resolve("new");
      c2.pending[0].resolve("old");
      assert.equal(await old2, "old");
      assert.equal(await current2, "new");
      await settle();
      assert.equal(await cache.get("j", c2.load), "new");
      assert.equal(c2.calls, 2);
    },
  );
});
