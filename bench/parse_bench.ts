/**
 * PBS JSON parsing speed: the JSON.parse baseline vs readPbsJson (fast path)
 * vs the full parsers, on 10,000 jobs and 10,624 nodes; plus the tolerant
 * fallback on the same documents with one invalid escape.
 *
 *   deno bench -A bench/parse_bench.ts
 */

import { readPbsJson } from "../src/pbs/json.ts";
import { parseJobsJson } from "../src/pbs/parse/jobs.ts";
import { parseNodesJson } from "../src/pbs/parse/nodes.ts";
import { jobsDocument, nodesDocument } from "./pbs_json_fixtures.ts";

const JOBS = 10_000;
const NODES = 10_624;

const jobs = jobsDocument(JOBS);
const jobsBroken = jobsDocument(JOBS, true);
const nodes = nodesDocument(NODES);
const nodesBroken = nodesDocument(NODES, true);

// Guard the fixtures: the valid ones must be valid, the broken ones must not.
JSON.parse(jobs);
JSON.parse(nodes);
for (const broken of [jobsBroken, nodesBroken]) {
  let rejected = false;
  try {
    JSON.parse(broken);
  } catch {
    rejected = true;
  }
  if (!rejected) throw new Error("a slow-path fixture is valid JSON");
}
if (parseJobsJson(jobsBroken).length !== JOBS) throw new Error("slow path lost jobs");
if (parseNodesJson(nodesBroken).length !== NODES) throw new Error("slow path lost nodes");

const mb = (text: string) => `${(text.length / 1e6).toFixed(1)} MB`;

Deno.bench(
  `jobs: JSON.parse (${JOBS} jobs, ${mb(jobs)})`,
  { group: "jobs", baseline: true },
  () => {
    JSON.parse(jobs);
  },
);
Deno.bench("jobs: readPbsJson", { group: "jobs" }, () => {
  readPbsJson(jobs);
});
Deno.bench("jobs: parseJobsJson", { group: "jobs" }, () => {
  parseJobsJson(jobs);
});
Deno.bench("jobs: readPbsJson, one invalid escape (tolerant path)", { group: "jobs" }, () => {
  readPbsJson(jobsBroken);
});
Deno.bench("jobs: parseJobsJson, one invalid escape", { group: "jobs" }, () => {
  parseJobsJson(jobsBroken);
});

Deno.bench(
  `nodes: JSON.parse (${NODES} nodes, ${mb(nodes)})`,
  { group: "nodes", baseline: true },
  () => {
    JSON.parse(nodes);
  },
);
Deno.bench("nodes: readPbsJson", { group: "nodes" }, () => {
  readPbsJson(nodes);
});
Deno.bench("nodes: parseNodesJson", { group: "nodes" }, () => {
  parseNodesJson(nodes);
});
Deno.bench("nodes: readPbsJson, one invalid escape (tolerant path)", { group: "nodes" }, () => {
  readPbsJson(nodesBroken);
});
Deno.bench("nodes: parseNodesJson, one invalid escape", { group: "nodes" }, () => {
  parseNodesJson(nodesBroken);
});
