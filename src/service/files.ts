/**
 * Reading files on behalf of a model, confined to allowed directories.
 *
 * Job output paths come from PBS as `host:/path`; the host part is dropped and
 * the path must resolve (symlinks included) inside one of the allowed
 * directories. Only the tail is read, so a 50 GB log costs no more than a small one.
 */
import { PbsError } from "../pbs/errors.ts";

export interface TailResult {
  path: string;
  text: string;
  /** Lines returned. */
  lines: number;
  /** Whole file size in bytes. */
  sizeBytes: number;
  /** True when the file holds more than what was returned. */
  truncated: boolean;
}

/** `host:/path` → `/path`; a plain path is returned as is. */
export function stripHost(pbsPath: string): string {
  const colon = pbsPath.indexOf(":");
  if (colon > 0 && pbsPath[colon + 1] === "/" && !pbsPath.slice(0, colon).includes("/")) {
    return pbsPath.slice(colon + 1);
  }
  return pbsPath;
}

function isInside(path: string, dir: string): boolean {
  const base = dir.endsWith("/") ? dir : `${dir}/`;
  return path === dir || path.startsWith(base);
}

/** Resolves `path` and checks it lies inside an allowed directory. */
export async function resolveAllowed(path: string, allowedDirs: string[]): Promise<string> {
  if (!path.startsWith("/")) {
    throw new PbsError({
      kind: "invalid_input",
      message: `path ${JSON.stringify(path)} is not absolute`,
      hint: "Give an absolute path, e.g. /home/alice/run/job.sh.",
    });
  }
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    throw new PbsError({
      kind: "invalid_input",
      message: `file ${path} does not exist or cannot be read from this host`,
      hint:
        "Job output appears only once the job has finished (or as it runs, on sites that stage output live); check the path and that this host shares the filesystem.",
    });
  }
  const allowed = await Promise.all(
    allowedDirs.map((d) => Deno.realPath(d).catch(() => undefined)),
  );
  if (!allowed.some((dir) => dir !== undefined && isInside(real, dir))) {
    throw new PbsError({
      kind: "permission_denied",
      message: `${path} is outside the directories this server may read`,
      hint: `Allowed directories: ${
        allowedDirs.join(", ") || "(none)"
      }. Set PBS_MCP_ALLOWED_DIRS to widen them.`,
    });
  }
  return real;
}

/**
 * Reads at most `maxBytes` from the end of the file, then keeps the last
 * `tailLines` lines. A window that starts mid-file is cut at its first
 * newline *as bytes*, before decoding, so a multi-byte character split by the
 * window never shows up as U+FFFD and a line that starts exactly at the
 * window is kept.
 */
export async function readTail(
  path: string,
  tailLines: number,
  maxBytes: number,
): Promise<TailResult> {
  using file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  const windowed = size > maxBytes;
  // One byte before the window too, to see whether the window starts a line.
  const start = windowed ? size - maxBytes - 1 : 0;
  await file.seek(start, Deno.SeekMode.Start);
  const buffer = new Uint8Array(size - start);
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  let bytes = buffer.subarray(0, filled);
  if (windowed) {
    const newline = bytes.indexOf(0x0a);
    bytes = newline < 0 ? bytes.subarray(bytes.length) : bytes.subarray(newline + 1);
  }
  const text = new TextDecoder().decode(bytes);
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const all = text === "" ? [] : body.split("\n");
  const kept = tailLines <= 0 ? [] : all.slice(-tailLines);
  return {
    path,
    text: kept.join("\n"),
    lines: kept.length,
    sizeBytes: size,
    truncated: windowed || kept.length < all.length,
  };
}
