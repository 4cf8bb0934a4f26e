/**
 * qmgr: `list` / `print` of server, queues and nodes for everyone; writes
 * (`set`, `unset`, `create`, `delete`) for managers. The engine has no
 * write operations, so the few settable attributes the simulator supports
 * are changed directly on its server and queue records.
 */

import { pbsHooks, siteHooks } from "../hooks.ts";
import { type ComplexApi, PBSE, SimError, type SimQueue } from "../model.ts";
import { getopt, lastArg } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, serverMessage } from "../errno.ts";
import { parseDuration } from "../../src/pbs/model/time.ts";
import { attrLabel } from "../format/attrs.ts";
import { qmgrListText, qmgrPrintLines } from "../format/text.ts";
import { splitWords } from "../shellwords.ts";
import { type CommandContext, connect, usageError, versionOutput } from "./context.ts";

const OPERATIONS: Record<string, string> = {
  a: "active",
  active: "active",
  c: "create",
  create: "create",
  d: "delete",
  delete: "delete",
  s: "set",
  set: "set",
  u: "unset",
  unset: "unset",
  l: "list",
  list: "list",
  p: "print",
  print: "print",
  h: "help",
  help: "help",
};

const OBJECTS: Record<string, string> = {
  s: "server",
  server: "server",
  q: "queue",
  queue: "queue",
  n: "node",
  node: "node",
  sched: "sched",
  resource: "resource",
  hook: "hook",
  pbshook: "pbshook",
};

export function qmgr(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "ac:enz");
  if (!parsed.ok) return usageError(ctx, parsed.message, 1);
  const commands = lastArg(parsed, "c") ?? ctx.stdin ?? "";
  connect(ctx);
  let stdout = "";
  let stderr = "";
  let code = 0;
  for (const line of commands.split(/\n|;/).map((l) => l.trim()).filter(Boolean)) {
    const result = runDirective(ctx, line);
    stdout += result.stdout;
    stderr += result.stderr;
    if (result.code !== 0) code = result.code;
  }
  return { stdout, stderr, code };
}

function runDirective(ctx: CommandContext, line: string): CommandOutput {
  const words = splitWords(line);
  const operation = OPERATIONS[words[0]];
  if (!operation) {
    return fail(1, `qmgr: Illegal operation: ${words[0]}\nTry 'help' if you are having trouble.\n`);
  }
  const object = OBJECTS[words[1] ?? ""];
  if (!object) {
    return syntaxError(
      line,
      line.indexOf(words[1] ?? "") >= 0 ? line.indexOf(words[1] ?? "") : line.length,
    );
  }
  const rest = words.slice(2);
  switch (operation) {
    case "list":
      return list(ctx, object, rest);
    case "print":
      return print(ctx, object, rest);
    case "set":
    case "unset":
    case "create":
    case "delete":
      return write(ctx, operation, object, rest, line);
    default:
      return ok();
  }
}

function syntaxError(line: string, column: number): CommandOutput {
  return fail(4, `qmgr: Syntax error\n${line}\n${" ".repeat(column)}^\n`);
}

/** `qmgr obj=X svr=default: message` + `qmgr: Error (N) returned from server`. */
function serverError(
  object: string,
  error: SimError,
  code = exitCodeOf(error.errno),
): CommandOutput {
  return fail(
    code,
    `qmgr obj=${object} svr=default: ${
      serverMessage(error)
    }\nqmgr: Error (${error.errno}) returned from server\n`,
  );
}

// Reading ----------------------------------------------------------------------

function list(ctx: CommandContext, object: string, rest: string[]): CommandOutput {
  const { complex } = ctx;
  const names = (rest[0] ?? "").split(",").filter((n) => n && !n.startsWith("@"));
  switch (object) {
    case "server": {
      const wanted = new Set(rest.join(" ").split(/[ ,]+/).filter(Boolean));
      const attrs = complex.serverAttributes().filter((a) =>
        wanted.size === 0 || wanted.has(a.name) || wanted.has(attrLabel(a))
      );
      return ok(qmgrListText("Server", complex.server.name, attrs));
    }
    case "queue":
      return eachNamed(names, complex.queues().map((q) => q.name), (name) => {
        const queue = complex.findQueue(name);
        return qmgrListText("Queue", queue.name, complex.queueAttributes(queue));
      });
    case "node":
      return eachNamed(names, complex.nodes().map((n) => n.name), (name) => {
        const node = complex.findNode(name);
        return qmgrListText("Node", node.name, complex.nodeAttributes(node));
      });
    case "sched":
      return ok(
        `Sched default\n    sched_host = ${complex.server.host}\n    scheduling = ${
          complex.server.scheduling ? "True" : "False"
        }\n    state = idle\n\n`,
      );
    case "hook":
    case "pbshook": {
      const hooks = object === "hook" ? siteHooks(complex.queuejobHooks()) : pbsHooks();
      const unknown = names.find((name) => !hooks.some((h) => h.name === name));
      if (unknown) return fail(1, `qmgr: the simulator knows no hook ${unknown}\n`);
      const shown = names.length ? hooks.filter((h) => names.includes(h.name)) : hooks;
      return ok(shown.map((h) => qmgrListText("Hook", h.name, h.attrs)).join(""));
    }
    default:
      // No custom resources exist in the simulated complex.
      return ok();
  }
}

/** Lists each named object (all when none named); unknown names exit 1 (qmgr_list_queue_unknown). */
function eachNamed(names: string[], all: string[], show: (name: string) => string): CommandOutput {
  let stdout = "";
  for (const name of names.length ? names : all) {
    try {
      stdout += show(name);
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      const failed = serverError(name, error, 1);
      return { ...failed, stdout };
    }
  }
  return ok(stdout);
}

function print(ctx: CommandContext, object: string, rest: string[]): CommandOutput {
  const { complex } = ctx;
  const names = (rest[0] ?? "").split(",").filter((n) => n && !n.startsWith("@"));
  if (object === "queue") {
    return withHeader(
      "#\n# Create queues and set their attributes.\n#\n",
      eachNamed(
        names,
        complex.queues().map((q) => q.name),
        (name) => printQueue(complex, complex.findQueue(name)),
      ),
    );
  }
  if (object === "node") {
    return withHeader(
      "#\n# Create nodes and set their properties.\n#\n",
      eachNamed(names, complex.nodes().map((n) => n.name), (name) => {
        const node = complex.findNode(name);
        const attrs = complex.nodeAttributes(node).filter((a) => !NODE_NOT_PRINTED.has(a.name));
        const mom = node.mom !== node.name ? ` Mom=${node.mom}` : "";
        return `#\n# Create and define node ${node.name}\n#\ncreate node ${node.name}${mom}\n${
          qmgrPrintLines(`node ${node.name}`, attrs)
        }`;
      }),
    );
  }
  if (object === "server") {
    const queues = complex.queues().filter((q) => !q.reservation).map((q) => printQueue(complex, q))
      .join("");
    const server = qmgrPrintLines("server", complex.serverAttributes());
    return ok(
      `#\n# Create queues and set their attributes.\n#\n${queues}#\n# Set server attributes.\n#\n${server}`,
    );
  }
  return ok();
}

const NODE_NOT_PRINTED = new Set([
  "Mom",
  "Port",
  "ntype",
  "pcpus",
  "jobs",
  "resv",
  "sharing",
  "license",
  "last_state_change_time",
  "last_used_time",
]);

function printQueue(complex: ComplexApi, queue: SimQueue): string {
  return `#\n# Create and define queue ${queue.name}\n#\ncreate queue ${queue.name}\n${
    qmgrPrintLines(`queue ${queue.name}`, complex.queueAttributes(queue))
  }`;
}

function withHeader(header: string, result: CommandOutput): CommandOutput {
  return result.stdout ? { ...result, stdout: header + result.stdout } : result;
}

// Writing ----------------------------------------------------------------------

function write(
  ctx: CommandContext,
  operation: string,
  object: string,
  rest: string[],
  line: string,
): CommandOutput {
  const { complex } = ctx;
  const target = object === "server" ? "" : (rest[0] ?? "");
  if (complex.privilegeOf(ctx.caller.user) !== "manager") {
    return serverError(target, new SimError(PBSE.PERM));
  }
  if (operation !== "set") {
    return fail(1, `qmgr: the simulator does not support '${operation} ${object}'\n`);
  }
  // `set sched ATTR=V` names the default scheduler implicitly; its sched_config
  // parameters (strict_ordering) are not qmgr attributes (qmgr_set_sched_strict_ordering).
  const implicitName = object === "server" || (object === "sched" && (rest[0] ?? "").includes("="));
  const assignments = (implicitName ? rest : rest.slice(1)).join(" ");
  const m = /^([A-Za-z_][\w]*)(?:\.([\w]+))?\s*(\+?=)\s*(.*)$/.exec(assignments);
  if (!m) return syntaxError(line, line.length);
  const [, name, resource, , value] = m;
  try {
    if (object === "server") setServerAttribute(complex, name, resource, value);
    else if (object === "queue") {
      setQueueAttribute(complex.findQueue(target), name, resource, value);
    } else if (object === "sched" && !SCHED_ATTRIBUTES.has(name)) throw new UnknownAttribute();
    else return fail(1, `qmgr: the simulator does not support 'set ${object}'\n`);
  } catch (error) {
    if (error instanceof UnknownAttribute) return syntaxError(line, line.indexOf("=") + 1);
    if (!(error instanceof SimError)) throw error;
    return serverError(target, error);
  }
  return ok();
}

class UnknownAttribute extends Error {}

/** The scheduler object's qmgr attributes (`list sched`); anything else is a syntax error. */
const SCHED_ATTRIBUTES = new Set([
  "sched_host",
  "sched_cycle_length",
  "sched_preempt_enforce_resumption",
  "preempt_targets_enable",
  "log_events",
  "partition",
  "sched_priv",
  "sched_log",
  "scheduling",
  "scheduler_iteration",
  "state",
  "preempt_queue_prio",
  "preempt_prio",
  "preempt_order",
  "preempt_sort",
  "server_dyn_res_alarm",
  "job_sort_formula_threshold",
  "throughput_mode",
  "job_run_wait",
  "opt_backfill_fuzzy",
]);

function parseBool(value: string): boolean {
  if (/^(true|t|1|y)$/i.test(value)) return true;
  if (/^(false|f|0|n)$/i.test(value)) return false;
  throw new SimError(PBSE.BADATVAL);
}

function setResource(
  target: Record<string, string | number>,
  label: string,
  resource: string,
  value: string,
) {
  if ((resource === "walltime" || resource === "cput") && parseDuration(value) === undefined) {
    throw new SimError(PBSE.BADATVAL, `${label}.${resource}`);
  }
  target[resource] = /^\d+$/.test(value) ? Number(value) : value;
}

function setServerAttribute(
  complex: ComplexApi,
  name: string,
  resource: string | undefined,
  value: string,
) {
  const server = complex.server;
  switch (name) {
    case "scheduling":
      server.scheduling = parseBool(value);
      return;
    case "job_history_enable":
      server.jobHistoryEnable = parseBool(value);
      return;
    case "job_history_duration": {
      const seconds = parseDuration(value);
      if (seconds === undefined) throw new SimError(PBSE.BADATVAL, name);
      server.jobHistoryDuration = seconds;
      return;
    }
    case "default_queue":
      complex.findQueue(value);
      server.defaultQueue = value;
      return;
    case "max_array_size":
      if (!/^\d+$/.test(value)) throw new SimError(PBSE.BADATVAL, name);
      server.maxArraySize = Number(value);
      return;
    case "backfill_depth":
      if (!/^[1-9]\d*$/.test(value)) throw new SimError(PBSE.BADATVAL, name);
      server.backfillDepth = Number(value);
      return;
    case "resources_default":
      if (!resource) throw new UnknownAttribute();
      setResource(server.resourcesDefault, name, resource, value);
      return;
    default:
      throw new UnknownAttribute();
  }
}

function setQueueAttribute(
  queue: SimQueue,
  name: string,
  resource: string | undefined,
  value: string,
) {
  switch (name) {
    case "enabled":
      queue.enabled = parseBool(value);
      return;
    case "started":
      queue.started = parseBool(value);
      return;
    case "max_running":
      if (!/^\d+$/.test(value)) throw new SimError(PBSE.BADATVAL, name);
      queue.maxRun = Number(value);
      return;
    case "acl_user_enable":
      queue.aclUserEnable = parseBool(value);
      return;
    case "acl_users":
      queue.aclUsers = value.split(",");
      return;
    case "resources_max":
    case "resources_min":
    case "resources_default": {
      if (!resource) throw new UnknownAttribute();
      const target = name === "resources_max"
        ? queue.resourcesMax
        : name === "resources_min"
        ? queue.resourcesMin
        : queue.resourcesDefault;
      setResource(target, name, resource, value);
      return;
    }
    default:
      throw new UnknownAttribute();
  }
}
