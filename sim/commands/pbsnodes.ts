/**
 * pbsnodes: node status (text, JSON, DSV, summaries), `-l` down/offline
 * listing, and `-o`/`-r`/`-C` marking. Every error exits 1, except an
 * unknown node with `-F json`, which is reported inside the JSON (exit 0).
 */

import { type AttrList, SimError, type SimNode } from "../model.ts";
import { getopt, has, lastArg, type ParsedArgs } from "../argv.ts";
import { type CommandOutput, fail, ok, pbsMessage } from "../errno.ts";
import { nodeJson } from "../format/attrs.ts";
import { arr, type JsonNode, num, obj, str } from "../format/json.ts";
import { nodeDsv, nodeText } from "../format/text.ts";
import { nodeListLine, nodeSummaryTable, summariseNode } from "../format/tables.ts";
import { type CommandContext, connect, usageError, versionOutput } from "./context.ts";
import { jsonDocument } from "./qstat.ts";

export function pbsnodes(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "acC:dD:F:HjlLoqrs:Sv");
  // getopt's own complaint is printed even with -q, the usage text is not (pbsnodes.c `main`).
  const quiet = parsed.ok
    ? has(parsed, "q")
    : ctx.args.some((a) => /^-[^-]*q/.test(a) && !/^-[^q]*[CDFs]/.test(a));
  const usage = (message?: string) =>
    quiet
      ? fail(1, message === undefined ? "" : `pbsnodes: ${message}\n`)
      : usageError(ctx, message, 1);
  if (!parsed.ok) return usage(parsed.message);
  const mode = operationOf(parsed);
  if (mode === undefined) return usage();
  if (mode.oper === "down") return fail(1, "pbsnodes: the simulator does not support -d\n");
  connect(ctx);

  // -c is the deprecated spelling of -r: clears offline, keeps the comment (pbsnodes_c_root).
  if (mode.oper === "offline" || mode.oper === "reset" || mode.oper === "clear") {
    const action = mode.oper === "offline" ? "offline" : "clear";
    return markNodes(ctx, parsed.operands, action, mode.comment);
  }
  if (mode.oper === "comment") return markNodes(ctx, parsed.operands, "comment", mode.comment);
  if (mode.oper === "list-marked") {
    const marked = ctx.complex.nodes().filter((n) =>
      n.state.some((s) => /down|offline|unknown/.test(s))
    );
    return ok(marked.map((n) => nodeListLine(n.name, ctx.complex.nodeAttributes(n))).join(""));
  }

  const format = lastArg(parsed, "F") ?? "text";
  const view: NodeView = {
    format: format === "json" ? "json" : format === "dsv" ? "dsv" : "text",
    delimiter: lastArg(parsed, "D") ?? "|",
    summary: has(parsed, "S"),
    jobs: has(parsed, "j"),
  };
  if (mode.oper === "all") return ok(render(ctx, ctx.complex.nodes(), [], view));

  const found: SimNode[] = [];
  const missing: string[] = [];
  for (const name of parsed.operands) {
    const nodes = has(parsed, "v") ? vnodeNamed(ctx, name) : nodesOnHost(ctx, name);
    if (nodes.length) found.push(...nodes);
    else missing.push(name);
  }
  const stdout = render(ctx, found, missing, view);
  if (view.format === "json" || missing.length === 0) return ok(stdout);
  const errors = missing.map((name) => `Node: ${name},  Error: ${pbsMessage(15062)}\n`).join("");
  return fail(1, errors, stdout);
}

type Operation =
  | "list"
  | "list-hosts"
  | "all"
  | "list-marked"
  | "offline"
  | "reset"
  | "clear"
  | "down"
  | "comment";

/**
 * Which operation the options ask for, in pbsnodes.c `main`'s terms: each
 * option is allowed only after certain others (`-C` alone is a comment update,
 * with `-o`/`-r` the comment they set; `-l` takes no names; marking and
 * listing need names, `-a`/`-l` none; `-S`/`-j`/`-L`/`-D` go with listings).
 * Undefined means the usage text, exit 1 (pbsnodes_l_with_node_usage).
 */
function operationOf(parsed: ParsedArgs): { oper: Operation; comment?: string } | undefined {
  let oper: Operation = "list";
  let vnodes = false;
  let summary = false;
  let comment: string | undefined;
  const listing = () => oper === "list" || oper === "all" || oper === "list-hosts";
  for (const { letter, arg } of parsed.options) {
    const marking = oper === "list" || vnodes;
    let allowed = true;
    switch (letter) {
      case "a":
        allowed = oper === "list";
        if (allowed) oper = "all";
        break;
      case "c":
      case "d":
      case "l":
        allowed = marking;
        if (allowed) oper = letter === "c" ? "clear" : letter === "d" ? "down" : "list-marked";
        break;
      case "C":
        if (oper === "list") [oper, comment] = ["comment", arg];
        else if (oper === "offline" || oper === "reset") comment = arg;
        else allowed = false;
        break;
      case "o":
      case "r":
        allowed = marking || oper === "comment";
        if (allowed) oper = letter === "o" ? "offline" : "reset";
        break;
      case "H":
        allowed = oper === "list";
        if (allowed) oper = "list-hosts";
        break;
      case "D":
      case "j":
      case "L":
        allowed = listing();
        break;
      case "S":
        allowed = listing();
        summary = true;
        break;
      case "v":
        allowed = oper === "list" || oper === "all";
        vnodes = true;
        break;
      case "F":
        allowed = ["json", "dsv", "default"].includes((arg ?? "").toLowerCase());
        break;
      default: // -q (quiet) and -s server change nothing here
        break;
    }
    if (!allowed) return undefined;
  }
  const names = parsed.operands.length > 0;
  if (oper === "list-marked" && names) return undefined;
  const needsNames: Operation[] = ["clear", "offline", "reset", "list-hosts", "list", "comment"];
  if (needsNames.includes(oper) && !names) return undefined;
  if (summary && !listing()) return undefined;
  return { oper, comment };
}

interface NodeView {
  format: "text" | "json" | "dsv";
  delimiter: string;
  summary: boolean;
  jobs: boolean;
}

function vnodeNamed(ctx: CommandContext, name: string): SimNode[] {
  return ctx.complex.nodes().filter((n) => n.name === name);
}

/** Without -v an operand is a host: nodes whose mom or resources_available.host is it. */
function nodesOnHost(ctx: CommandContext, host: string): SimNode[] {
  return ctx.complex.nodes().filter((n) => n.mom === host || n.extra.host === host);
}

/**
 * A manager or operator also reads the mom's `Port` and `pbs_version`, right
 * after `Mom` (root's pbsnodes_av_json_offline_jobs_root vs alice's).
 */
function withMomDetails(ctx: CommandContext, attrs: AttrList): AttrList {
  if (ctx.complex.privilegeOf(ctx.caller.user) === "user") return attrs;
  const at = attrs.findIndex((a) => a.name === "Mom") + 1;
  const details: AttrList = [
    { name: "Port", value: { kind: "int", value: MOM_PORT } },
    { name: "pbs_version", value: { kind: "str", value: ctx.complex.server.version } },
  ];
  return [...attrs.slice(0, at), ...details, ...attrs.slice(at)];
}

/** pbs_mom's default service port. */
const MOM_PORT = 15002;

function render(ctx: CommandContext, nodes: SimNode[], missing: string[], view: NodeView): string {
  const { complex } = ctx;
  const named = nodes.map((node) => ({
    name: node.name,
    attrs: withMomDetails(ctx, complex.nodeAttributes(node)),
  }));
  if (view.format === "json") {
    const entries: Array<[string, JsonNode]> = named.map(({ name, attrs }) => [
      name,
      view.summary ? summaryJson(summariseNode(name, attrs), view.jobs) : nodeJson(attrs),
    ]);
    for (const name of missing) entries.push([name, obj([[name, str(pbsMessage(15062))]])]);
    return jsonDocumentAlways(ctx, obj(entries));
  }
  if (view.summary) {
    return nodeSummaryTable(
      named.map(({ name, attrs }) => summariseNode(name, attrs)),
      view.jobs,
      complex.server.name,
    );
  }
  if (view.format === "dsv") {
    return named.map(({ name, attrs }) => nodeDsv(name, attrs, view.delimiter)).join("");
  }
  return named.map(({ name, attrs }) => nodeText(name, attrs)).join("");
}

/** pbsnodes always prints its `nodes` key, even when empty. */
function jsonDocumentAlways(ctx: CommandContext, nodes: JsonNode & { t: "obj" }): string {
  if (nodes.entries.length > 0) return jsonDocument(ctx, "nodes", nodes);
  const text = jsonDocument(ctx, "nodes", undefined);
  return text.replace(/\n}\n$/, `,\n\t"nodes":\t{\n\t}\n}\n`);
}

function summaryJson(summary: ReturnType<typeof summariseNode>, withJobs: boolean): JsonNode {
  if (withJobs) {
    return obj([
      ["State", str(summary.state)],
      ["Total Jobs", num(summary.jobs.length)],
      ["Running Jobs", num(summary.jobs.length)],
      ["Suspended Jobs", num(0)],
      ["mem f/t", str(summary.memFreeTotal)],
      ["ncpus f/t", str(summary.ncpusFreeTotal)],
      ["nmics f/t", str(summary.nmicsFreeTotal)],
      ["ngpus f/t", str(summary.ngpusFreeTotal)],
      ["jobs", arr(summary.jobs.map(str))],
    ]);
  }
  return obj([
    ["State", str(summary.state)],
    ["OS", str(summary.os)],
    ["hardware", str(summary.hardware)],
    ["host", str(summary.host)],
    ["queue", str(summary.queue)],
    ["Memory", str(summary.memory)],
    ["ncpus", num(Number(summary.ncpus))],
    ["nmics", num(Number(summary.nmics))],
    ["ngpus", num(Number(summary.ngpus))],
    ["comment", str(summary.comment)],
  ]);
}

function markNodes(
  ctx: CommandContext,
  names: string[],
  action: "offline" | "clear" | "comment",
  comment: string | undefined,
): CommandOutput {
  let stderr = "";
  for (const name of names) {
    try {
      ctx.complex.markNode(ctx.caller, name, action, comment);
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      stderr += `Error marking node ${name} - ${pbsMessage(error.errno)}\n`;
    }
  }
  return stderr ? fail(1, stderr) : ok();
}
