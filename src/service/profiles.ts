/**
 * Site profiles: what a centre requires beyond PBS itself. A profile names
 * the resources its queuejob hooks insist on (and a default for each), how
 * MPI is launched there (ranks and GPUs per node, launcher flags, the GPU
 * affinity helper, modules) and, optionally, the command that shows a
 * caller's allocation balance. Profiles are YAML files validated here; the
 * built-in ones are the files in examples/profiles/, embedded at build time.
 *
 * The active profile comes from PBS_MCP_PROFILE: a built-in name or a path.
 */
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import auroraYaml from "../../examples/profiles/aurora.yaml" with { type: "text" };
import polarisYaml from "../../examples/profiles/polaris.yaml" with { type: "text" };

/** Built-in profile name → its YAML text. */
const BUILT_IN = new Map<string, string>([
  ["polaris", polarisYaml],
  ["aurora", auroraYaml],
]);

export const BUILT_IN_PROFILES: readonly string[] = [...BUILT_IN.keys()];

const RESOURCE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A program name or absolute path (never an option, never a shell word). */
const PROGRAM = /^(\/|[A-Za-z0-9_])[A-Za-z0-9_.+\/-]*$/;

const RequiredResource = z.object({
  name: z.string().regex(RESOURCE_NAME, "must be a PBS resource name such as filesystems"),
  /** Added to a submission that does not request it; absent: such a submission is refused. */
  default: z.string().min(1).optional(),
  /** A value the site accepts, named when a submission is refused. */
  example: z.string().min(1),
  /** The site's rule in its own words (its hook's rejection text). */
  rule: z.string().min(1),
}).strict();

const Allocation = z.object({
  /** The argv run to list the caller's allocations (argv[0]: a program name or absolute path). */
  command: z.array(z.string().min(1)).min(1).refine(
    (argv) => PROGRAM.test(argv[0]),
    "command[0] must be a program name or an absolute path",
  ),
  /**
   * The output is a table: a header line, a line of dashes under each column,
   * then one row per allocation. These are the headers of the columns read.
   */
  columns: z.object({
    project: z.string().min(1),
    balance: z.string().min(1),
    resource: z.string().min(1).optional(),
    end: z.string().min(1).optional(),
  }).strict(),
  /** What the balance counts (`node-hours`). */
  unit: z.string().min(1),
}).strict();

export const SiteProfileSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  /** The public pages the profile's facts come from. */
  sources: z.array(z.string().url()).default([]),
  required_resources: z.array(RequiredResource).default([]),
  ranks_per_node: z.number().int().positive().optional(),
  gpus_per_node: z.number().int().min(0).optional(),
  mpi: z.object({
    launcher: z.string().regex(PROGRAM, "must be a program name or an absolute path"),
    /** Site flags written after `-n N --ppn R` (shell words, written as given). */
    flags: z.array(z.string().min(1).regex(/^[^\n\r]*$/, "one line")).default([]),
  }).strict().optional(),
  modules: z.array(z.string().min(1)).default([]),
  /** A script that binds each local rank to its GPU, put before the program. */
  gpu_affinity: z.string().regex(/^\/[^\s'"$`\\]+$/, "must be an absolute path").optional(),
  allocation: Allocation.optional(),
}).strict();

export type SiteProfile = z.infer<typeof SiteProfileSchema>;
export type RequiredResourceRule = SiteProfile["required_resources"][number];

/** Parses and validates a profile's YAML; `origin` names it in errors. */
export function parseProfile(text: string, origin: string): SiteProfile {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`site profile ${origin} is not valid YAML: ${why}`);
  }
  const parsed = SiteProfileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new Error(`site profile ${origin} is invalid: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/**
 * The profile PBS_MCP_PROFILE names: a built-in name (polaris, aurora) or a
 * path to a YAML file. Throws an Error saying what is wrong.
 */
export async function loadProfile(spec: string): Promise<SiteProfile> {
  const builtIn = BUILT_IN.get(spec);
  if (builtIn !== undefined) return parseProfile(builtIn, `"${spec}" (built in)`);
  if (!spec.includes("/") && !/\.ya?ml$/.test(spec)) {
    throw new Error(
      `unknown site profile "${spec}": built-in profiles are ${BUILT_IN_PROFILES.join(", ")}; ` +
        "or give the path of a YAML file",
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read site profile ${spec}: ${why}`);
  }
  return parseProfile(text, spec);
}

let builtIns: SiteProfile[] | undefined;

/** Every built-in profile, parsed once. */
export function builtInProfiles(): readonly SiteProfile[] {
  builtIns ??= [...BUILT_IN].map(([name, text]) => parseProfile(text, `"${name}" (built in)`));
  return builtIns;
}

/**
 * The profile a server runs with: PBS_MCP_PROFILE when set, else in demo mode
 * the built-in profile named like the simulated scenario (polaris, aurora).
 */
export async function activeProfile(
  configured: string | undefined,
  demoScenario?: string,
): Promise<SiteProfile | undefined> {
  const spec = configured ?? (demoScenario ? builtInProfileFor(demoScenario) : undefined);
  return spec === undefined ? undefined : await loadProfile(spec);
}

/** The programs a profile runs besides PBS's (its allocation command), for the runner and permissions. */
export function allocationPrograms(profile: SiteProfile | undefined): string[] {
  return profile?.allocation ? [profile.allocation.command[0]] : [];
}

/** The built-in profile of a simulator scenario of the same name, if any. */
export function builtInProfileFor(scenario: string): string | undefined {
  return BUILT_IN.has(scenario) ? scenario : undefined;
}
