/**
 * Who the caller is: the operating-system user this process runs as, which is
 * who PBS acts as (qsub sends the uid's name, not `$USER`). `$USER` and
 * `$LOGNAME` are only what a login shell set; `env -i`, `sudo -u`, containers
 * and some GUI clients leave them unset or stale.
 */

export interface OsUser {
  name: string;
  /** Home directory from the passwd entry, when the entry was read. */
  home?: string;
}

/** User names PBS accepts for a job owner (POSIX portable names, as `useradd` allows). */
export const USER_NAME = /^[A-Za-z_][A-Za-z0-9._-]*\$?$/;

/**
 * The passwd entry of `uid` in `passwd` (the text of /etc/passwd), if any.
 * Fields: name:password:uid:gid:gecos:home:shell.
 */
export function passwdEntry(passwd: string, uid: number): OsUser | undefined {
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 7 || line.startsWith("#")) continue;
    if (Number(fields[2]) === uid && fields[2] !== "" && USER_NAME.test(fields[0])) {
      return { name: fields[0], home: fields[5] || undefined };
    }
  }
  return undefined;
}

/**
 * The OS user running this process. `Deno.uid()` (needs --allow-sys, which
 * `deno task start` grants) and /etc/passwd (--allow-read) answer without
 * starting a process for local accounts. Cluster accounts usually live in a
 * directory service (LDAP, SSSD) that /etc/passwd does not list; for those,
 * `id -un` asks NSS the way PBS's own getpwuid() does (needs --allow-run,
 * which real mode has anyway to run qstat). Throws an Error when neither works.
 */
export async function osUser(passwdFile = "/etc/passwd"): Promise<OsUser> {
  let uid: number | null = null;
  try {
    uid = Deno.uid();
  } catch {
    // No --allow-sys: `id -un` below still knows.
  }
  if (uid !== null) {
    try {
      const entry = passwdEntry(await Deno.readTextFile(passwdFile), uid);
      if (entry) return entry;
    } catch {
      // Unreadable: ask NSS.
    }
  }
  const name = await idUn();
  if (name !== undefined) return { name };
  throw new Error(
    `cannot tell which user this server runs as (uid ${uid ?? "unknown"}): not in ` +
      `${passwdFile}, and \`id -un\` did not answer. Start the server with --allow-sys and ` +
      "--allow-run (as `deno task start` does).",
  );
}

async function idUn(): Promise<string | undefined> {
  try {
    const { code, stdout } = await new Deno.Command("id", {
      args: ["-un"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const name = new TextDecoder().decode(stdout).trim();
    return code === 0 && USER_NAME.test(name) ? name : undefined;
  } catch {
    return undefined; // no `id`, or no --allow-run
  }
}

/** The simulated caller when demo mode is given no --user, and the stand-in for root. */
export const DEMO_DEFAULT_USER = "alice";

/**
 * Demo mode's caller: `--user NAME` when given, else the login name from the
 * environment (only a label inside the simulation). Root and an unset or
 * unusable name become an ordinary simulated user: PBS refuses jobs owned by
 * root (qsub: "Bad UID for job execution", golden `qsub_err_root`), so a root
 * shell or container would fail on its first submit.
 */
export function demoUser(
  requested: string | undefined,
  env: Record<string, string | undefined>,
): string {
  if (requested !== undefined) return requested;
  const name = env.USER || env.LOGNAME;
  return name && name !== "root" && USER_NAME.test(name) ? name : DEMO_DEFAULT_USER;
}
