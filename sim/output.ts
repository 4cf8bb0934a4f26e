/**
 * What a finished job leaves behind: its stdout/stderr files at the real
 * Output_Path/Error_Path (inside the complex's outputDir), and the date text
 * PBS puts in `Job run at ...` comments.
 */
import { formatDuration } from "../src/pbs/model/time.ts";
import type { JobRecord } from "./job_record.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Tue Nov 24 at 02:44` (local time), as in `Job run at ... on (vm:ncpus=2)`. */
export function jobRunDate(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} at ${p(d.getHours())}:${
    p(d.getMinutes())
  }`;
}

export interface OutputSink {
  readonly outputDir?: string;
}

/**
 * Writes the job's output files when the complex has an outputDir. Join_Path
 * `oe` sends stderr into the output file, `eo` stdout into the error file.
 * A walltime kill adds PBS's `=>> PBS: job killed: walltime N exceeded limit M`.
 */
export function writeJobOutput(sink: OutputSink, job: JobRecord): void {
  if (!sink.outputDir || job.runCount === 0) return;
  const stdout = [...job.behaviour.stdoutLines];
  const stderr = [...job.behaviour.stderrLines];
  if (job.endKind === "walltime" && job.walltime !== undefined) {
    const used = parseUsedWalltime(job);
    stderr.push(`=>> PBS: job killed: walltime ${used} exceeded limit ${job.walltime}`);
  }
  const outPath = localPath(job.outputPath);
  const errPath = localPath(job.errorPath);
  if (job.joinPath === "oe") {
    writeFile(sink.outputDir, outPath, [...stdout, ...stderr]);
  } else if (job.joinPath === "eo") {
    writeFile(sink.outputDir, errPath, [...stderr, ...stdout]);
  } else {
    writeFile(sink.outputDir, outPath, stdout);
    writeFile(sink.outputDir, errPath, stderr);
  }
}

function parseUsedWalltime(job: JobRecord): number {
  const text = String(job.used.walltime ?? formatDuration(0));
  const [h, m, s] = text.split(":").map(Number);
  return h * 3600 + m * 60 + s;
}

/** `localhost:/home/alice/x.o1` → `/home/alice/x.o1`. */
export function localPath(pbsPath: string): string {
  const colon = pbsPath.indexOf(":");
  return colon >= 0 && !pbsPath.startsWith("/") ? pbsPath.slice(colon + 1) : pbsPath;
}

/**
 * Writes under `root` only: a path already inside it (the default, since
 * homes live there) is used as is; any other path the job named is mapped
 * beneath it, so a simulated job never writes elsewhere on the real disk.
 */
function writeFile(root: string, path: string, lines: string[]): void {
  const base = root.replace(/\/$/, "");
  const inside = path.startsWith(`${base}/`);
  const full = inside ? path : `${base}${path.startsWith("/") ? "" : "/"}${path}`;
  const dir = full.slice(0, full.lastIndexOf("/"));
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(full, lines.map((l) => `${l}\n`).join(""));
}
