/**
 * qmgr, read-only. The builder can only produce `list` or `print` requests
 * whose object names pass the validators, so no input can turn it into a
 * write (`set`, `create`, `delete`, ...) or smuggle a second command (`;`,
 * spaces and newlines never survive validation). qmgr has no JSON output.
 */

import { invalidInput } from "../errors.ts";
import { validateNodeName, validateQueueName, validateResourceName } from "../validate.ts";
import type { PbsCommand } from "./command.ts";

export type QmgrVerb = "list" | "print";
export type QmgrObject = "server" | "queue" | "node" | "resource" | "sched";

export interface QmgrReadOptions {
  /** `list` (attributes) or `print` (the qmgr commands recreating the object). Default `list`. */
  verb?: QmgrVerb;
  object: QmgrObject;
  /** The queue, node, resource or scheduler; absent = all of them (`@default` for queues and nodes). Not for `server`. */
  name?: string;
  /** Only these attributes (`list` only), e.g. `["default_queue"]`. */
  attributes?: readonly string[];
}

const VERBS: readonly string[] = ["list", "print"];
const NAMERS: Record<QmgrObject, ((name: string) => string) | undefined> = {
  server: undefined,
  queue: validateQueueName,
  node: validateNodeName,
  resource: validateResourceName,
  sched: validateResourceName,
};
/** Attribute names: `default_queue`, `resources_max.walltime`. */
const ATTRIBUTE_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?$/;

/** `qmgr -c 'list queue workq'`, `qmgr -c 'print server'`, ... */
export function qmgrRead(options: QmgrReadOptions): PbsCommand {
  const verb = options.verb ?? "list";
  if (!VERBS.includes(verb)) {
    throw invalidInput(`qmgr verb ${JSON.stringify(verb)} is not allowed.`, "Use list or print.");
  }
  if (!Object.hasOwn(NAMERS, options.object)) {
    throw invalidInput(
      `qmgr object ${JSON.stringify(options.object)} is not one of ${
        Object.keys(NAMERS).join(", ")
      }.`,
      'Use e.g. {"object": "queue", "name": "workq"}.',
    );
  }
  return {
    argv: [
      "qmgr",
      "-c",
      [verb, options.object, ...target(options), ...attributes(options)].join(" "),
    ],
  };
}

function target(options: QmgrReadOptions): string[] {
  const namer = NAMERS[options.object];
  if (options.name !== undefined) {
    if (!namer) {
      throw invalidInput("The server takes no name in qmgr.", 'Use {"object": "server"} alone.');
    }
    return [namer(options.name)];
  }
  // `@default` = every queue or node of the default server (golden qmgr_list_queue_all).
  if (options.object === "queue" || options.object === "node") return ["@default"];
  if (namer && options.attributes !== undefined) {
    throw invalidInput(
      `Attributes of a ${options.object} need its name.`,
      `Give name, e.g. {"object": "${options.object}", "name": "...", "attributes": [...]}.`,
    );
  }
  return [];
}

function attributes(options: QmgrReadOptions): string[] {
  if (options.attributes === undefined) return [];
  if (options.verb === "print") {
    throw invalidInput("print does not take attribute names.", "Use verb list to pick attributes.");
  }
  if (!Array.isArray(options.attributes) || options.attributes.length === 0) {
    throw invalidInput("The attribute list is empty.", 'Give e.g. ["default_queue"].');
  }
  // qmgr separates attribute names with commas (`list server a,b`).
  return [
    options.attributes.map((a) => {
      if (typeof a !== "string" || !ATTRIBUTE_RE.test(a)) {
        throw invalidInput(
          `Attribute name ${JSON.stringify(a)} is not valid.`,
          "Use e.g. default_queue or resources_max.walltime.",
        );
      }
      return a;
    }).join(","),
  ];
}
