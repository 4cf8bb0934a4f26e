/** Shared helpers for the engine tests: submit shorthands and attribute lookups. */
import { attrValue } from "../../sim/attributes.ts";
import type { Complex } from "../../sim/complex.ts";
import type { Caller, SimJob, SubmitRequest } from "../../sim/model.ts";

export const alice: Caller = { user: "alice", host: "localhost" };
export const bob: Caller = { user: "bob", host: "localhost" };
export const root: Caller = { user: "root", host: "localhost" };

export function submit(c: Complex, who: Caller, over: Partial<SubmitRequest> = {}): SimJob {
  return c.submit(who, {
    resources: [],
    variables: [],
    script: "#SIM runtime=20",
    submitArguments: "jobs/short.sh",
    workdir: `/home/${who.user}`,
    name: "shortjob",
    ...over,
  });
}

/** Value of an attribute (`name` or `name.resource`) as text or number. */
export function attr(c: Complex, job: SimJob, key: string): string | number | undefined {
  const [name, resource] = key.split(".");
  const value = attrValue(c.jobAttributes(job), name, resource);
  if (value === undefined) return undefined;
  if (value.kind === "str" || value.kind === "int") return value.value;
  if (value.kind === "list") return value.text;
  return value.value.map(([k, v]) => `${k}=${v}`).join(",");
}

/** Attribute keys in print order (`Resource_List.ncpus`, ...). */
export function attrNames(c: Complex, job: SimJob): string[] {
  return c.jobAttributes(job).map((a) => (a.resource ? `${a.name}.${a.resource}` : a.name));
}

/** Attribute keys of a golden `qstat -f` text capture, in order. */
export function goldenNames(text: string): string[] {
  return text.split("\n")
    .filter((l) => /^ {4}\S/.test(l))
    .map((l) => l.trim().split(" = ")[0]);
}

export function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { errno?: number }).errno;
  }
  return undefined;
}
