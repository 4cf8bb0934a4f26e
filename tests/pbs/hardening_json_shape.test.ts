/**
 * Valid JSON of the wrong shape is a parse_error in every `-F json` parser,
 * while PBS's own "nothing to list" envelope still means an empty list.
 */
import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { parseNodesJson } from "../../src/pbs/parse/nodes.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import { golden } from "../golden.ts";

const HEADER = `"timestamp": 1795489511, "pbs_version": "23.06.06", "pbs_server": "vm"`;

const PARSERS: Array<[string, string, (text: string) => unknown]> = [
  ["Jobs", "jobs", parseJobsJson],
  ["nodes", "nodes", parseNodesJson],
  ["Queue", "queues", parseQueuesJson],
  ["Server", "server", parseServerJson],
];

function assertParseError(fn: () => unknown, what: string): void {
  assert.throws(fn, (e) => isPbsError(e) && e.kind === "parse_error", what);
}

Deno.test("wrong-shaped -F json is a parse_error", async (t) => {
  for (const [section, label, parse] of PARSERS) {
    await t.step(label, () => {
      for (
        const text of [
          `{${HEADER}, "${section}": []}`,
          `{${HEADER}, "${section}": "none"}`,
          `{${HEADER}, "${section}": 5}`,
          `{${HEADER}, "${section}": {"x": 5}}`,
          `{${HEADER}, "${section}": {"x": ["a"]}}`,
          `{"unrelated": true}`,
          `{}`,
        ]
      ) {
        assertParseError(() => parse(text), text);
      }
    });
  }

  await t.step("a job without job_state", () => {
    assertParseError(() => parseJobsJson(`{${HEADER}, "Jobs": {"1.vm": {"Job_Name": "a"}}}`), "");
  });

  await t.step("PBS's empty envelope is still an empty list", () => {
    assert.deepEqual(parseJobsJson(golden("final_qstat_f_json_empty").stdout), []);
    assert.deepEqual(parseJobsJson(golden("final_qstat_x_f_json_empty").stdout), []);
  });
});
