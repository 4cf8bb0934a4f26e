/**
 * What a job script makes the simulated job do.
 *
 * Supported (everything else in the script is ignored):
 * - `#SIM runtime=SECONDS exit=CODE` — either key optional; the last such line wins per key.
 * - `#SIM cpu=PERCENT mem=SIZE` — what the job uses while it runs: PERCENT of its requested
 *   cpus busy (resources_used.cput), SIZE of memory (resources_used.mem, e.g. `2gb`, `512mb`).
 * - `#SIM index=N runtime=SECONDS exit=CODE` — the same for array subjob N only (a script
 *   testing `$PBS_ARRAY_INDEX`, like note 8's array.sh whose index 4 exits 2).
 * - `sleep N` (a plain integer, anywhere on a line, e.g. `sleep 20` or `sleep 1; echo hi`) —
 *   adds N seconds of runtime when no `#SIM runtime=` is given.
 * - `exit N` on its own (first one reached) — the exit code when no `#SIM exit=` is given.
 * - `echo TEXT` — TEXT (quotes removed) becomes a line of the job's stdout;
 *   `echo TEXT >&2` (or `1>&2`) a line of its stderr.
 * Defaults: runtime 60 s when nothing says otherwise (an empty script runs 1 s), exit 0.
 */
import type { JobBehaviour } from "./model.ts";

export const DEFAULT_RUNTIME_SECONDS = 60;

const SIM_LINE = /^#SIM\s+(.*)$/;
const SLEEP = /(?:^|[;&|\s])sleep\s+(\d+)(?=$|[\s;&|])/g;
const EXIT = /^exit\s+(\d+)\s*$/;
const ECHO = /^echo\s+(.*?)\s*$/;
const TO_STDERR = /\s*1?>&2\s*$/;

export function parseScriptBehaviour(
  script: string,
  defaultRuntime = DEFAULT_RUNTIME_SECONDS,
): JobBehaviour {
  const simWide: SimPairs = {};
  let sleepTotal = 0;
  let sawSleep = false;
  let exitCode: number | undefined;
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const usage: Pick<JobBehaviour, "cpuPercent" | "memKb"> = {};

  // One pass over the lines; the cheap substring tests only skip lines a pattern cannot match.
  let byIndex: JobBehaviour["byIndex"];
  for (const raw of script.split("\n")) {
    const line = raw.trim();
    const sim = line.startsWith("#SIM") ? SIM_LINE.exec(line) : null;
    if (sim) {
      const index = /\bindex=(\d+)\b/.exec(sim[1]);
      if (index) {
        const own = (byIndex ??= {})[Number(index[1])] ??= {};
        applySimPairs(sim[1], own);
        continue;
      }
      applySimPairs(sim[1], simWide);
      // Per-index lines (`#SIM index=N`) set runtime and exit only.
      if (!/\bindex=/.test(sim[1])) simUsage(sim[1], usage);
      continue;
    }
    if (line.startsWith("#") || line === "") continue;
    if (line.includes("sleep")) {
      for (const m of line.matchAll(SLEEP)) {
        sleepTotal += Number(m[1]);
        sawSleep = true;
      }
    }
    if (!line.includes("exit") && !line.includes("echo")) continue;
    for (const part of line.split(";")) {
      const statement = part.trim();
      // EXIT and ECHO are anchored at the statement's first word.
      const exit = statement.startsWith("exit") ? EXIT.exec(statement) : null;
      if (exit && exitCode === undefined) exitCode = Number(exit[1]) & 0xff;
      const echo = statement.startsWith("echo") ? ECHO.exec(statement) : null;
      if (echo) pushEcho(echo[1], stdoutLines, stderrLines);
    }
  }

  const empty = script.trim() === "";
  const runtimeSeconds = simWide.runtimeSeconds ??
    (sawSleep ? Math.max(1, sleepTotal) : empty ? 1 : defaultRuntime);
  const behaviour: JobBehaviour = {
    runtimeSeconds,
    exitCode: simWide.exitCode ?? exitCode ?? 0,
    stdoutLines,
    stderrLines,
    ...usage,
  };
  if (byIndex !== undefined) behaviour.byIndex = byIndex;
  return behaviour;
}

/** What array subjob `index` does: the script's behaviour with its `#SIM index=` overrides. */
export function subjobBehaviour(behaviour: JobBehaviour, index: number): JobBehaviour {
  const own = behaviour.byIndex?.[index];
  return own ? { ...behaviour, ...own, byIndex: undefined } : behaviour;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1,
  mb: 1024,
  gb: 1024 ** 2,
  tb: 1024 ** 3,
};

/** `#SIM cpu=PERCENT mem=SIZE` on one line (TEXT after `#SIM`): later lines win. */
function simUsage(text: string, usage: Pick<JobBehaviour, "cpuPercent" | "memKb">): void {
  const cpu = text.includes("cpu=") ? /\bcpu=(\d+)\b/.exec(text) : null;
  if (cpu) usage.cpuPercent = Math.min(100, Number(cpu[1]));
  const mem = /\bmem=(\d+)(b|kb|mb|gb|tb)?\b/i.exec(text);
  if (mem) {
    const unit = (mem[2] ?? "b").toLowerCase();
    const kb = Number(mem[1]) * SIZE_UNITS[unit];
    usage.memKb = unit === "b" ? Math.ceil(Number(mem[1]) / 1024) : kb;
  }
}

const SIM_PAIR = /\b(runtime|exit)=(-?\d+)\b/g;

/** What `runtime=` and `exit=` set, for the whole job or one array index. */
type SimPairs = { runtimeSeconds?: number; exitCode?: number };

/** Each `runtime=N` / `exit=N` of a `#SIM` line, in order, into `target` (later ones win). */
function applySimPairs(text: string, target: SimPairs): void {
  SIM_PAIR.lastIndex = 0;
  for (let m = SIM_PAIR.exec(text); m !== null; m = SIM_PAIR.exec(text)) {
    if (m[1] === "runtime") target.runtimeSeconds = Number(m[2]);
    else target.exitCode = Number(m[2]);
  }
}

function pushEcho(text: string, stdout: string[], stderr: string[]): void {
  const toStderr = TO_STDERR.test(text);
  const body = unquote(text.replace(TO_STDERR, ""));
  (toStderr ? stderr : stdout).push(body);
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.endsWith(t[0])) return t.slice(1, -1);
  return t;
}

/**
 * What `qsub -- PROGRAM ARGS...` does (the command form, INDEX.md note 9):
 * `sleep N` runs N seconds, `echo ARGS` prints them, `true`/`false` exit 0/1,
 * `sh -c SCRIPT` runs SCRIPT (its `exit N` is the job's Exit_status: capture
 * qstat_fx_json_cmdform_exit4). These end at once when nothing sleeps; any
 * other program runs the default runtime.
 */
export function commandBehaviour(argv: readonly string[]): JobBehaviour {
  const program = (argv[0] ?? "").split("/").pop() ?? "";
  const args = argv.slice(1);
  const quick = (exitCode: number, stdoutLines: string[] = []): JobBehaviour => ({
    runtimeSeconds: 1,
    exitCode,
    stdoutLines,
    stderrLines: [],
  });
  switch (program) {
    case "sleep": {
      const seconds = Number(args[0]);
      return Number.isFinite(seconds)
        ? { ...quick(0), runtimeSeconds: Math.max(1, seconds) }
        : quick(1);
    }
    case "echo":
      return quick(0, [args.join(" ")]);
    case "true":
      return quick(0);
    case "false":
      return quick(1);
    case "sh":
    case "bash":
      if (args[0] === "-c" && args[1] !== undefined) return parseScriptBehaviour(args[1], 1);
      return quick(0);
    default:
      return { ...quick(0), runtimeSeconds: DEFAULT_RUNTIME_SECONDS };
  }
}
