/**
 * A real `sshd` on a loopback port for the end-to-end tests of ssh: throwaway
 * host and user keys in a temp dir, its own config (key login only, for one
 * user only), and the client options that trust it. Outside CI a machine
 * without sshd skips these tests and says so (`sshdMissing`).
 */

export const SSHD = "/usr/sbin/sshd";

function onPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** What this machine lacks to run sshd tests (empty: nothing). */
export const sshdMissing: readonly string[] = [
  ...(isFile(SSHD) ? [] : [SSHD]),
  ...["ssh", "ssh-keygen"].filter((name) => !onPath(name)),
];

/** The message a test file skipped for lack of sshd prints. */
export function sshdSkipMessage(file: string): string {
  return `${file}: SKIPPED: ${sshdMissing.join(", ")} not found (install Debian's ` +
    "openssh-server and openssh-client; .ci/run does)";
}

/**
 * Every runner here: the local ssh's environment (no agent; no user config reaches it, see
 * -F /dev/null below), and every connection and command bounded in time.
 */
export const BOUNDED = {
  baseEnv: { PATH: "/usr/bin:/bin" },
  connectTimeoutSeconds: 5,
  defaultTimeoutMs: 20_000,
};
const SSHD_START_MS = 10_000;

export interface Sshd {
  port: number;
  dir: string;
  /** ssh options that trust the throwaway host key and offer `key`. */
  clientOptions(key?: string): string[];
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (out.code !== 0) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function startSshd(user: string): Promise<Sshd> {
  const dir = await Deno.makeTempDir({ prefix: "pbs-sshd-" });
  for (const name of ["host_key", "user_key", "other_key"]) {
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/${name}`]);
  }
  Deno.copyFileSync(`${dir}/user_key.pub`, `${dir}/authorized_keys`);
  // sshd reads the authorized keys as the user logging in (who may not be us); the private
  // keys stay readable by their owner only.
  Deno.chmodSync(dir, 0o711);
  Deno.chmodSync(`${dir}/authorized_keys`, 0o644);
  const port = freePort();
  Deno.writeTextFileSync(
    `${dir}/known_hosts`,
    `[127.0.0.1]:${port} ${Deno.readTextFileSync(`${dir}/host_key.pub`).trim()}\n`,
  );
  Deno.writeTextFileSync(
    `${dir}/sshd_config`,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${dir}/host_key`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "AuthenticationMethods publickey",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      // CI runs as root: root may log in, with the throwaway key only, to this sshd only.
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      // The temp dir lies under the world-writable /tmp.
      "StrictModes no",
      "UsePAM no",
      "",
    ].join("\n"),
  );
  // sshd refuses to start without its privilege separation directory (created by the service
  // unit on a normal install).
  if (Deno.uid() === 0) Deno.mkdirSync("/run/sshd", { recursive: true });
  const child = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", `${dir}/sshd_config`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const logDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log.push(chunk);
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await logDone;
    await Deno.remove(dir, { recursive: true });
  };
  // Ready once the port accepts connections: bounded in tries and time.
  const deadline = Date.now() + SSHD_START_MS;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`sshd did not listen within ${SSHD_START_MS} ms: ${log.join("")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    dir,
    clientOptions: (key = `${dir}/user_key`) => [
      "-F",
      "/dev/null",
      "-i",
      key,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "IdentityAgent=none",
      "-o",
      `UserKnownHostsFile=${dir}/known_hosts`,
      "-o",
      "StrictHostKeyChecking=yes",
    ],
    stop,
  };
}
