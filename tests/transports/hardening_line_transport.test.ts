/**
 * The stdio line transport's pieces: splitting a byte stream into bounded
 * lines however it is chunked, and finding the id of a discarded request.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { LineSplitter, recoverId } from "../../src/transports/stdio.ts";

type Event = { line: string } | { oversized: number; head: string; tail: string };

function split(chunks: Uint8Array[], maxBytes: number): Event[] {
  const events: Event[] = [];
  const decoder = new TextDecoder();
  const splitter = new LineSplitter(
    maxBytes,
    (line) => events.push({ line: decoder.decode(line) }),
    (head, tail, bytes) =>
      events.push({ oversized: bytes, head: decoder.decode(head), tail: decoder.decode(tail) }),
  );
  for (const chunk of chunks) splitter.push(chunk);
  return events;
}

/** `bytes` cut at the given positions. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(at, point));
    at = point;
  }
  return chunks;
}

Deno.test("LineSplitter", async (t) => {
  await t.step("property: lines come out whole however the stream is chunked", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom("a", "é", "{", "\r") }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (lines, cuts, maxBytes) => {
          const bytes = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
          const events = split(chunked(bytes, cuts), maxBytes);
          assert.equal(events.length, lines.length);
          events.forEach((event, i) => {
            const size = new TextEncoder().encode(lines[i]).length;
            if (size <= maxBytes) assert.deepEqual(event, { line: lines[i] });
            else assert.equal((event as { oversized: number }).oversized, size);
          });
        },
      ),
    );
  });

  await t.step("an oversized line is reported once with its edges, then lines flow again", () => {
    const long = `HEAD${"x".repeat(5_000)}TAIL`;
    const bytes = new TextEncoder().encode(`${long}\nnext\n`);
    const events = split(chunked(bytes, [100, 2_000, 4_999]), 1_000);
    assert.equal(events.length, 2);
    const first = events[0] as { oversized: number; head: string; tail: string };
    assert.equal(first.oversized, long.length);
    assert.ok(first.head.startsWith("HEAD"));
    assert.ok(first.tail.endsWith("TAIL"));
    assert.deepEqual(events[1], { line: "next" });
  });
});

Deno.test("recoverId", async (t) => {
  const edges = (message: string) => [message.slice(0, 256), message.slice(-256)] as const;
  const padding = "p".repeat(10_000);

  await t.step("property: the id the SDK's client writes last is found", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.string({ maxLength: 40 })),
        (id) => {
          const message = JSON.stringify({
            method: "tools/call",
            params: { name: "x", arguments: { script: padding } },
            jsonrpc: "2.0",
            id,
          });
          assert.deepEqual(recoverId(...edges(message)), id);
        },
      ),
    );
  });

  await t.step("an id written first is found", () => {
    const message = JSON.stringify({ jsonrpc: "2.0", id: 42, method: "m", params: { padding } });
    assert.equal(recoverId(...edges(message)), 42);
  });

  await t.step("an id nested inside params is not taken for the request's", () => {
    const message = JSON.stringify({
      jsonrpc: "2.0",
      method: "m",
      params: { padding, inner: { id: 7 } },
    });
    assert.equal(recoverId(...edges(message)), null);
  });
});
