/**
 * `deno task reference`: regenerates the README's tool/resource/prompt
 * reference from the server's registrations (on the demo simulator, which is
 * never asked anything while listing). `--check` only reports staleness.
 */
import { silentLogger } from "../src/mcp/logger.ts";
import { renderReference, spliceReference } from "../src/mcp/reference.ts";
import { createMcpServer } from "../src/mcp/server.ts";
import { loadConfig } from "../src/service/config.ts";
import { ClusterSet } from "../src/service/cluster_set.ts";
import { PbsClient } from "../src/service/pbs_client.ts";
import { loadProfile } from "../src/service/profiles.ts";
import { createScenario, SimRunner } from "../sim/mod.ts";

/** Formats markdown exactly as `deno fmt` formats README.md. */
export async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

/** README.md as it should be: the current reference spliced in, formatted. */
export async function expectedReadme(readme: string): Promise<string> {
  return await formatMarkdown(spliceReference(readme, await currentReference()));
}

export async function currentReference(): Promise<string> {
  const client = await referenceClient();
  const several = new ClusterSet([
    { name: "a", client, reach: "simulated" },
    { name: "b", client: await referenceClient(), reach: "simulated" },
  ]);
  return await renderReference(
    createMcpServer(client, silentLogger),
    createMcpServer(several, silentLogger),
  );
}

/** A client on the tiny simulated complex, with a site profile that has an allocation command. */
export async function referenceClient(): Promise<PbsClient> {
  const complex = createScenario("tiny", { seed: 1 });
  return new PbsClient({
    runner: new SimRunner({ complex, user: "alice" }),
    user: "alice",
    config: loadConfig({}),
    // A site profile with an allocation command, so get_allocation is listed too.
    profile: await loadProfile("polaris"),
  });
}

if (import.meta.main) {
  const readmePath = new URL("../README.md", import.meta.url);
  const readme = await Deno.readTextFile(readmePath);
  const updated = await expectedReadme(readme);
  if (Deno.args.includes("--check")) {
    if (updated !== readme) {
      console.error("README reference is stale: run `deno task reference`");
      Deno.exit(1);
    }
  } else if (updated !== readme) {
    await Deno.writeTextFile(readmePath, updated);
    console.error("README reference updated");
  }
}
