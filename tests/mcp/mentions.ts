/**
 * Finds the tool and parameter names a text sends the model to, so a test
 * can check that each exists in the mode the server runs in.
 *
 * A tool mention is a snake_case word that starts with a verb a tool name
 * could start with (`get_job`, `list_jobs`, `show_queue`) and is not a
 * parameter or field name of some tool (`hold_type`, `run_count`). A
 * parameter mention is `name=value` or `name: value` after a tool mention in
 * the same sentence (`list_jobs user=me`), or anywhere in a text that belongs
 * to one tool (its description, its parameters' descriptions). Prose uses
 * `word: ` too ("Counts only: ..."), so `name: value` counts only when the
 * name looks like a parameter: snake_case, or some tool's parameter name.
 */

/**
 * First words of tool names: the server's own and the ones a writer might
 * invent. Not "run": diagnosis categories such as run_limit are values, not tools.
 */
const TOOL_VERBS = [
  "alter",
  "cancel",
  "check",
  "create",
  "delete",
  "describe",
  "diagnose",
  "fetch",
  "find",
  "generate",
  "get",
  "hold",
  "kill",
  "list",
  "manage",
  "modify",
  "monitor",
  "move",
  "query",
  "read",
  "release",
  "resubmit",
  "search",
  "set",
  "show",
  "submit",
  "update",
  "view",
  "wait",
  "watch",
];

const TOOL_LIKE = new RegExp(`\\b(?:${TOOL_VERBS.join("|")})_[a-z][a-z0-9_]*[a-z0-9]\\b`, "g");
/** `name=value`, `name: value`, `"name": value`, after a space, an opening bracket or a comma. */
const ASSIGNMENT = /(?<=^|[\s({[,])"?([a-z][a-z0-9_]*)"?(=|: )/g;
/** Where a sentence, and with it a tool mention's reach, ends. */
const SENTENCE_END = /[.;!?](?:\s|$)|\n/;

/** The names the full server's schemas declare. */
export interface KnownNames {
  /** Every parameter, item and answer field name: such a word is not a tool mention. */
  fields: ReadonlySet<string>;
  /** Every parameter and item field name. */
  parameters: ReadonlySet<string>;
}

/** The names declared by these tools' schemas. */
export function knownNames(tools: readonly { inputSchema: unknown; outputSchema?: unknown }[]) {
  const parameters = new Set<string>();
  const fields = new Set<string>();
  for (const tool of tools) {
    schemaNames(tool.inputSchema, parameters);
    schemaNames(tool.inputSchema, fields);
    schemaNames(tool.outputSchema, fields);
  }
  return { fields, parameters };
}

export interface Mention {
  tool: string;
  /** Parameter names given after the tool in the same sentence. */
  parameters: string[];
}

/**
 * Each tool mention with the parameters assigned after it in its sentence.
 * With an `owner` (the tool a description belongs to), assignments before
 * any tool mention in a sentence are the owner's.
 */
export function mentionsIn(text: string, names: KnownNames, owner?: string): Mention[] {
  const mentions: Mention[] = [];
  for (const sentence of text.split(SENTENCE_END)) {
    const found = [...sentence.matchAll(TOOL_LIKE)].filter((m) => !names.fields.has(m[0]));
    if (owner !== undefined) {
      const own = assignedNames(sentence.slice(0, found[0]?.index ?? sentence.length), names);
      if (own.length) mentions.push({ tool: owner, parameters: own });
    }
    found.forEach((match, i) => {
      const end = found[i + 1]?.index ?? sentence.length;
      const reach = sentence.slice(match.index! + match[0].length, end);
      mentions.push({ tool: match[0], parameters: assignedNames(reach, names) });
    });
  }
  return mentions;
}

/** Names assigned in a text (`user=me`, `dry_run: true`). */
export function assignedNames(text: string, names: KnownNames): string[] {
  return [...text.matchAll(ASSIGNMENT)]
    .filter(([, name, operator]) =>
      operator === "=" || name.includes("_") || names.parameters.has(name)
    )
    .map((m) => m[1]);
}

/** Every property name in a JSON Schema, at any depth (parameters, item fields, answer fields). */
export function schemaNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) schemaNames(item, into);
  } else if (schema && typeof schema === "object") {
    const record = schema as Record<string, unknown>;
    if (record.properties && typeof record.properties === "object") {
      for (const name of Object.keys(record.properties)) into.add(name);
    }
    for (const value of Object.values(record)) schemaNames(value, into);
  }
  return into;
}

/** The `description` strings of a JSON Schema, at any depth. */
export function schemaDescriptions(schema: unknown, into: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const item of schema) schemaDescriptions(item, into);
  } else if (schema && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
      if (key === "description" && typeof value === "string") into.push(value);
      else schemaDescriptions(value, into);
    }
  }
  return into;
}
