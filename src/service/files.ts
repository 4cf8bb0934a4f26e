/**
 * Reading files on behalf of a model, confined to allowed directories.
 *
 * Job output paths come from PBS as `host:/path`; the host part is dropped and
 * the path must resolve (symlinks included) inside one of the allowed
 * directories. Only the tail is read, so a 50 GB log costs no more than a small one.
 */
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import type { Stats } from "node:fs";
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

/** The kinds of things a path can name, for messages. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Opens `path` for reading if it is a regular file. The open is non-blocking
 * (a FIFO would otherwise block until a writer appears, forever) and the type
 * is checked on the opened handle, so what is read is what was checked.
 */
async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new PbsError({
      kind: "invalid_input",
      message: `${path} cannot be read: ${
        error instanceof Error ? error.message.slice(0, 200) : error
      }`,
      hint: "Check that the file exists and that this server's user may read it.",
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new PbsError({
        kind: "invalid_input",
        message: `${path} is ${kindOf(stat)}, not a regular file`,
        hint: stat.isDirectory()
          ? "Give the path of a file inside it, e.g. /home/alice/run/job.sh."
          : "Only regular files are read; give the path of an ordinary file.",
      });
    }
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads up to `length` bytes at `position` (fewer when the file is shorter). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Largest job script file read for submit_job {script_path}. */
export const MAX_SCRIPT_FILE_BYTES = 1024 * 1024;

/**
 * A job script file's text. Only a regular file of at most `maxBytes` is
 * read, and never more than `maxBytes` + 1 bytes of it (a file growing while
 * it is read cannot make the server read more).
 */
export async function readScript(path: string, maxBytes: number): Promise<string> {
  const { handle, size } = await openRegularFile(path);
  try {
    const tooBig = () =>
      new PbsError({
        kind: "invalid_input",
        message: `script ${path} is over ${maxBytes} bytes${size > maxBytes ? ` (${size})` : ""}`,
        hint: "A job script is a short shell script; keep data in other files that it reads.",
      });
    if (size > maxBytes) throw tooBig();
    const bytes = await readAt(handle, 0, maxBytes + 1);
    if (bytes.length > maxBytes) throw tooBig();
    return new TextDecoder().decode(bytes);
  } finally {
    await handle.close();
  }
}

/** Leading UTF-8 continuation bytes (0b10xxxxxx): the rest of a character cut by the window. */
function skipContinuationBytes(bytes: Uint8Array): Uint8Array {
  let at = 0;
  while (at < bytes.length && at < 4 && (bytes[at] & 0xc0) === 0x80) at++;
  return bytes.subarray(at);
}

/**
 * Reads at most `maxBytes` from the end of a regular file, then keeps the
 * last `tailLines` lines (tailOfEnd).
 */
export async function readTail(
  path: string,
  tailLines: number,
  maxBytes: number,
): Promise<TailResult> {
  const { handle, size } = await openRegularFile(path);
  let bytes: Uint8Array;
  try {
    // One byte before the window too, to see whether the window starts a line.
    const start = size > maxBytes ? size - maxBytes - 1 : 0;
    bytes = await readAt(handle, start, size - start);
  } finally {
    await handle.close();
  }
  return tailOfEnd({ path, bytes, sizeBytes: size }, tailLines, maxBytes);
}

/**
 * The last `tailLines` lines of at most `maxBytes` from a file's end, given
 * its last `maxBytes + 1` bytes (`end.bytes`; the whole file when smaller):
 * the extra byte shows whether the window starts a line. A window that
 * starts mid-file is cut at its first newline *as bytes*, before decoding, so
 * a multi-byte character split by the window never shows up as U+FFFD and a
 * line that starts exactly at the window is kept. A window inside one long
 * line (no newline in it) is that line's end.
 */
export function tailOfEnd(
  end: { path: string; bytes: Uint8Array; sizeBytes: number },
  tailLines: number,
  maxBytes: number,
): TailResult {
  let bytes = end.bytes;
  const windowed = end.sizeBytes > maxBytes;
  if (windowed) {
    // Keep the window (the last maxBytes + 1 bytes at most, whatever was given).
    bytes = bytes.subarray(Math.max(0, bytes.length - maxBytes - 1));
    // bytes[0] is the byte before the window. After the first newline that
    // has something behind it, whole lines follow; with no such newline the
    // window lies inside the last line, and its end is that line.
    const newline = bytes.indexOf(0x0a);
    bytes = newline >= 0 && newline < bytes.length - 1
      ? bytes.subarray(newline + 1)
      : skipContinuationBytes(bytes.subarray(1));
  }
  const text = new TextDecoder().decode(bytes);
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const all = text === "" ? [] : body.split("\n");
  const kept = tailLines <= 0 ? [] : all.slice(-tailLines);
  return {
    path: end.path,
    text: kept.join("\n"),
    lines: kept.length,
    sizeBytes: end.sizeBytes,
    truncated: windowed || kept.length < all.length,
  };
}
