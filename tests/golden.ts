/**
 * Access to the recorded OpenPBS outputs in tests/fixtures/golden (copied from
 * shared/pbs-golden; each capture is NAME.out / NAME.err / NAME.meta, the meta
 * sidecar holding the originating command, user and exit code).
 */

export interface GoldenMeta {
  name: string;
  command: string;
  user: string;
  exit_code: number;
  description?: string;
}

export interface Golden {
  name: string;
  stdout: string;
  stderr: string;
  meta: GoldenMeta;
}

const GOLDEN_DIR = new URL("./fixtures/golden/", import.meta.url);

/** Loads capture NAME (`release/NAME` for the 23.06.06 release client's captures). */
export function golden(name: string): Golden {
  const base = name.startsWith("release/")
    ? new URL(`release-23.06.06-client/${name.slice("release/".length)}`, GOLDEN_DIR)
    : new URL(name, GOLDEN_DIR);
  const read = (ext: string) => Deno.readTextFileSync(new URL(`${base.href}.${ext}`));
  return {
    name,
    stdout: read("out"),
    stderr: read("err"),
    meta: JSON.parse(read("meta")) as GoldenMeta,
  };
}

/** Names of every master-build capture, optionally only those whose name starts with `prefix`. */
export function goldenNames(prefix = ""): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(GOLDEN_DIR)) {
    if (entry.isFile && entry.name.endsWith(".meta") && entry.name.startsWith(prefix)) {
      names.push(entry.name.slice(0, -".meta".length));
    }
  }
  return names.sort();
}

/** Names (`release/NAME`) of every capture made with the released 23.06.06 client. */
export function releaseGoldenNames(): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(new URL("release-23.06.06-client/", GOLDEN_DIR))) {
    if (entry.isFile && entry.name.endsWith(".meta")) {
      names.push(`release/${entry.name.slice(0, -".meta".length)}`);
    }
  }
  return names.sort();
}
