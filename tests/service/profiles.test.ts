import assert from "node:assert/strict";
import { join } from "node:path";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { parseAllocations } from "../../src/service/allocations.ts";
import { loadConfig } from "../../src/service/config.ts";
import {
  activeProfile,
  BUILT_IN_PROFILES,
  loadProfile,
  parseProfile,
} from "../../src/service/profiles.ts";

Deno.test("built-in profiles load from examples/profiles", async (t) => {
  await t.step("polaris: filesystems required with a default, 4 ranks and 4 GPUs", async () => {
    const p = await loadProfile("polaris");
    assert.equal(p.name, "polaris");
    assert.deepEqual(p.required_resources.map((r) => [r.name, r.default]), [
      ["filesystems", "home:eagle"],
    ]);
    assert.equal(p.ranks_per_node, 4);
    assert.equal(p.gpus_per_node, 4);
    assert.equal(p.mpi?.launcher, "mpiexec");
    assert.deepEqual(p.allocation?.command, ["sbank-list-allocations", "-r", "polaris"]);
    assert.ok(p.sources.every((s) => s.startsWith("https://docs.alcf.anl.gov/")));
  });
  await t.step("aurora: 12 ranks per node on 6 GPUs, home:flare", async () => {
    const p = await loadProfile("aurora");
    assert.equal(p.ranks_per_node, 12);
    assert.equal(p.gpus_per_node, 6);
    assert.equal(p.required_resources[0].default, "home:flare");
    assert.match(p.gpu_affinity ?? "", /gpu_tile_compact\.sh$/);
  });
  await t.step("the shipped files are the built-ins", async () => {
    for (const name of BUILT_IN_PROFILES) {
      const path = new URL(`../../examples/profiles/${name}.yaml`, import.meta.url).pathname;
      assert.deepEqual(await loadProfile(path), await loadProfile(name));
    }
  });
});

Deno.test("profiles from a file, and clear errors", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-profile-" });
  try {
    await t.step("a valid file", async () => {
      const path = join(dir, "site.yaml");
      await Deno.writeTextFile(
        path,
        [
          "name: mysite",
          "description: a test site",
          "required_resources:",
          "  - name: scratch",
          "    example: lustre",
          "    rule: jobs must name scratch",
        ].join("\n"),
      );
      const p = await loadProfile(path);
      assert.equal(p.name, "mysite");
      assert.equal(p.required_resources[0].default, undefined);
      assert.deepEqual(p.modules, []);
    });
    await t.step("a wrong field is named with its path", async () => {
      const path = join(dir, "bad.yaml");
      await Deno.writeTextFile(
        path,
        "name: x\ndescription: y\nranks_per_node: four\nmpi:\n  launcher: -rf\n",
      );
      await assert.rejects(() => loadProfile(path), (e: Error) => {
        assert.match(e.message, /bad\.yaml is invalid/);
        assert.match(e.message, /ranks_per_node: /);
        assert.match(e.message, /mpi\.launcher: must be a program name/);
        return true;
      });
    });
    await t.step("an unknown key is refused (a typo is not silently ignored)", () => {
      assert.throws(
        () => parseProfile("name: x\ndescription: y\nrequired_resource: []\n", "t.yaml"),
        /Unrecognized key.*required_resource/,
      );
    });
    await t.step("an allocation command that reads as an option is refused", () => {
      const text = 'name: x\ndescription: y\nallocation:\n  command: ["-x"]\n' +
        "  columns: {project: P, balance: B}\n  unit: h\n";
      assert.throws(() => parseProfile(text, "t.yaml"), /allocation\.command: command\[0\]/);
    });
    await t.step("not YAML", () => {
      assert.throws(() => parseProfile("name: [x\n", "t.yaml"), /t\.yaml is not valid YAML/);
    });
    await t.step("an unknown name lists the built-ins; a missing file says so", async () => {
      await assert.rejects(() => loadProfile("frontier"), /built-in profiles are polaris, aurora/);
      await assert.rejects(() => loadProfile(join(dir, "none.yaml")), /cannot read site profile/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PBS_MCP_PROFILE selects the profile; demo mode defaults to the scenario's", async () => {
  assert.equal(loadConfig({ PBS_MCP_PROFILE: "aurora" }).profile, "aurora");
  assert.equal(loadConfig({}).profile, undefined);
  assert.equal((await activeProfile(undefined, "polaris"))?.name, "polaris");
  assert.equal((await activeProfile("aurora", "polaris"))?.name, "aurora");
  assert.equal(await activeProfile(undefined, "tiny"), undefined);
  assert.equal(await activeProfile(undefined), undefined);
});

Deno.test("allocation tables are read by their dashed columns", async (t) => {
  const columns = { project: "Project", balance: "Balance", resource: "Resource", end: "End" };
  await t.step("the simulator's sbank-list-allocations", async () => {
    const complex = createScenario("tiny");
    const runner = new SimRunner({ complex, user: "alice" });
    const out = await runner.run(["sbank-list-allocations"]);
    assert.equal(out.code, 0);
    const rows = parseAllocations(out.stdout, columns);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(row.resource, "tiny");
      assert.match(row.end ?? "", /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(out.stdout.includes(row.project));
      assert.ok(Number.isFinite(row.balance));
    }
  });
  await t.step("values with spaces and commas", () => {
    const text = [
      "Project Name   Balance     Other",
      "-------------  ----------  -----",
      "My Project     -1,234.5    x",
      "Second         12          y",
    ].join("\n");
    assert.deepEqual(parseAllocations(text, { project: "Project Name", balance: "Balance" }), [
      { project: "My Project", balance: -1234.5 },
      { project: "Second", balance: 12 },
    ]);
  });
  await t.step("a missing column or no table is a parse_error", () => {
    assert.throws(
      () => parseAllocations("A  B\n-  -\n1  2\n", columns),
      (e: Error & { kind?: string }) =>
        e.kind === "parse_error" && /no column "Project"/.test(e.message),
    );
    assert.throws(() => parseAllocations("no table here\n", columns), /no header line/);
    assert.deepEqual(parseAllocations("", columns), []);
  });
});
