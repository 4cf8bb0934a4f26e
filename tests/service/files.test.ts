import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { isPbsError, type PbsErrorKind } from "../../src/pbs/errors.ts";
import {
  MAX_SCRIPT_FILE_BYTES,
  readScript,
  readTail,
  resolveAllowed,
  stripHost,
} from "../../src/service/files.ts";

async function rejectsWith(promise: Promise<unknown>, kind: PbsErrorKind, text: RegExp) {
  await assert.rejects(promise, (error) => {
    assert.ok(isPbsError(error), `expected a PbsError, got ${error}`);
    assert.equal(error.kind, kind);
    assert.match(error.message, text);
    assert.ok(error.hint.length > 0);
    return true;
  });
}

/** A temp tree: root/allowed (with a job file), root/outside (with a secret), removed afterwards. */
async function withTree(fn: (root: string) => Promise<void>) {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pbs-mcp-files-" }));
  try {
    await Deno.mkdir(`${root}/allowed/run`, { recursive: true });
    await Deno.mkdir(`${root}/outside`);
    await Deno.mkdir(`${root}/allowed-evil`);
    await Deno.writeTextFile(`${root}/allowed/run/job.o12`, "hello\n");
    await Deno.writeTextFile(`${root}/outside/secret`, "secret\n");
    await Deno.writeTextFile(`${root}/allowed-evil/f`, "x\n");
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function withFile(content: string | Uint8Array, fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ prefix: "pbs-mcp-tail-" });
  try {
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("stripHost", async (t) => {
  await t.step("drops the host of host:/path", () => {
    assert.equal(stripHost("node01:/home/alice/job.o12"), "/home/alice/job.o12");
    assert.equal(stripHost("login1.cluster.org:/scratch/a b/x"), "/scratch/a b/x");
  });
  await t.step("keeps a plain absolute path, even one with colons in it", () => {
    assert.equal(stripHost("/home/alice/job.o12"), "/home/alice/job.o12");
    assert.equal(stripHost("/data/run:1/out:/x"), "/data/run:1/out:/x");
  });
  await t.step("leaves oddities alone rather than guessing", () => {
    // A Windows drive with a backslash is not host:/path.
    assert.equal(stripHost("C:\\Users\\alice\\out"), "C:\\Users\\alice\\out");
    // host:relative has no absolute path to keep.
    assert.equal(stripHost("node01:job.o12"), "node01:job.o12");
    // No host before the colon.
    assert.equal(stripHost(":/x"), ":/x");
    assert.equal(stripHost("node01:"), "node01:");
    assert.equal(stripHost(""), "");
    // A single-letter host is still a host (PBS never writes drive letters).
    assert.equal(stripHost("C:/x"), "/x");
  });
  await t.step("property: host:/path always yields /path", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/),
        fc.stringMatching(/^\/[^\0]{0,40}$/),
        (host, path) => stripHost(`${host}:${path}`) === path && stripHost(path) === path,
      ),
    );
  });
});

Deno.test("resolveAllowed", async (t) => {
  await t.step("a relative path is rejected before touching the filesystem", async () => {
    await rejectsWith(resolveAllowed("run/job.o12", ["/"]), "invalid_input", /not absolute/);
    await rejectsWith(resolveAllowed("", ["/"]), "invalid_input", /not absolute/);
  });

  await t.step(
    "a file inside an allowed directory resolves to its real path",
    () =>
      withTree(async (root) => {
        const path = `${root}/allowed/run/job.o12`;
        assert.equal(await resolveAllowed(path, [`${root}/allowed`]), path);
        // A trailing slash on the allowed directory makes no difference.
        assert.equal(await resolveAllowed(path, [`${root}/allowed/`]), path);
        // Nor does an unusable entry before the right one.
        assert.equal(await resolveAllowed(path, [`${root}/missing`, `${root}/allowed`]), path);
      }),
  );

  await t.step(
    "a file outside every allowed directory is permission_denied",
    () =>
      withTree(async (root) => {
        await rejectsWith(
          resolveAllowed(`${root}/outside/secret`, [`${root}/allowed`]),
          "permission_denied",
          /outside the directories/,
        );
        // A sibling whose name merely starts with the allowed directory's name.
        await rejectsWith(
          resolveAllowed(`${root}/allowed-evil/f`, [`${root}/allowed`]),
          "permission_denied",
          /outside/,
        );
        // `..` cannot climb out.
        await rejectsWith(
          resolveAllowed(`${root}/allowed/run/../../outside/secret`, [`${root}/allowed`]),
          "permission_denied",
          /outside/,
        );
        // No allowed directories: nothing is readable.
        await rejectsWith(
          resolveAllowed(`${root}/allowed/run/job.o12`, []),
          "permission_denied",
          /outside/,
        );
      }),
  );

  await t.step(
    "a symlink inside the allowed directory that escapes it is rejected",
    () =>
      withTree(async (root) => {
        await Deno.symlink(`${root}/outside/secret`, `${root}/allowed/link`);
        await Deno.symlink(`${root}/outside`, `${root}/allowed/linkdir`);
        await rejectsWith(
          resolveAllowed(`${root}/allowed/link`, [`${root}/allowed`]),
          "permission_denied",
          /outside/,
        );
        await rejectsWith(
          resolveAllowed(`${root}/allowed/linkdir/secret`, [`${root}/allowed`]),
          "permission_denied",
          /outside/,
        );
      }),
  );

  await t.step(
    "symlinks that stay inside, and an allowed dir given via a symlink, are fine",
    () =>
      withTree(async (root) => {
        await Deno.symlink(`${root}/allowed/run/job.o12`, `${root}/allowed/latest`);
        await Deno.symlink(`${root}/allowed`, `${root}/alias`);
        const real = `${root}/allowed/run/job.o12`;
        assert.equal(await resolveAllowed(`${root}/allowed/latest`, [`${root}/allowed`]), real);
        assert.equal(await resolveAllowed(real, [`${root}/alias`]), real);
      }),
  );

  await t.step(
    "a missing file is a clear invalid_input naming the path",
    () =>
      withTree(async (root) => {
        const path = `${root}/allowed/run/job.o99`;
        await rejectsWith(
          resolveAllowed(path, [`${root}/allowed`]),
          "invalid_input",
          new RegExp(`${path.replaceAll(".", "\\.")} does not exist`),
        );
      }),
  );
});

Deno.test("readTail", async (t) => {
  await t.step("a small file is returned whole", () =>
    withFile("a\nb\nc\n", async (path) => {
      assert.deepEqual(await readTail(path, 10, 1_000), {
        path,
        text: "a\nb\nc",
        lines: 3,
        sizeBytes: 6,
        truncated: false,
      });
    }));

  await t.step(
    "tail_lines keeps the last lines and marks the result truncated",
    () =>
      withFile("a\nb\nc\n", async (path) => {
        const tail = await readTail(path, 2, 1_000);
        assert.equal(tail.text, "b\nc");
        assert.equal(tail.lines, 2);
        assert.equal(tail.truncated, true);
        assert.equal(tail.sizeBytes, 6);
      }),
  );

  await t.step(
    "exactly tail_lines lines is not truncated",
    () =>
      withFile("a\nb\nc\n", async (path) => {
        const tail = await readTail(path, 3, 1_000);
        assert.equal(tail.text, "a\nb\nc");
        assert.equal(tail.truncated, false);
      }),
  );

  await t.step("tail_lines 0 returns no lines", () =>
    withFile("a\nb\nc\n", async (path) => {
      const tail = await readTail(path, 0, 1_000);
      assert.equal(tail.text, "");
      assert.equal(tail.lines, 0);
      assert.equal(tail.truncated, true);
    }));

  await t.step(
    "max_bytes reads only the end and drops the partial first line",
    () =>
      withFile("first line\nsecond\nthird\n", async (path) => {
        // The last 10 bytes are "ond\nthird\n": "ond" is the end of a cut line.
        const tail = await readTail(path, 100, 10);
        assert.equal(tail.text, "third");
        assert.equal(tail.lines, 1);
        assert.equal(tail.truncated, true);
        assert.equal(tail.sizeBytes, 24);
      }),
  );

  await t.step(
    "a line starting exactly at the max_bytes cut is complete and kept",
    () =>
      withFile("aaa\nbbb\n", async (path) => {
        // The last 4 bytes are "bbb\n", a whole line: byte 3 (before the cut) is "\n".
        const tail = await readTail(path, 100, 4);
        assert.equal(tail.text, "bbb");
        assert.equal(tail.lines, 1);
        assert.equal(tail.truncated, true);
      }),
  );

  await t.step("an empty file", () =>
    withFile("", async (path) => {
      assert.deepEqual(await readTail(path, 10, 1_000), {
        path,
        text: "",
        lines: 0,
        sizeBytes: 0,
        truncated: false,
      });
    }));

  await t.step(
    "a last line without a trailing newline counts",
    () =>
      withFile("a\nb", async (path) => {
        const tail = await readTail(path, 10, 1_000);
        assert.equal(tail.text, "a\nb");
        assert.equal(tail.lines, 2);
        assert.equal((await readTail(path, 1, 1_000)).text, "b");
      }),
  );

  await t.step("a multi-byte character cut by max_bytes never shows up broken", async () => {
    // "ééé\n" is 7 bytes, "last\n" 5: the last 9 bytes start inside the second é.
    await withFile("ééé\nlast\n", async (path) => {
      const tail = await readTail(path, 100, 9);
      assert.equal(tail.text, "last");
      assert.ok(!tail.text.includes("\uFFFD"));
    });
    // One long line with no newline in the window: whatever is returned must be text
    // from the file, not U+FFFD from half a character.
    const content = "é".repeat(20);
    await withFile(content, async (path) => {
      const tail = await readTail(path, 100, 7);
      assert.ok(!tail.text.includes("\uFFFD"), `broken UTF-8 in ${JSON.stringify(tail.text)}`);
      assert.ok(content.endsWith(tail.text));
      assert.equal(tail.truncated, true);
    });
  });

  await t.step(
    "property: the result is the last lines of the file, never broken text",
    async () => {
      const path = await Deno.makeTempFile({ prefix: "pbs-mcp-tail-prop-" });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.array(fc.constantFrom("a", "b", " ", "é", "€", "😀"), { maxLength: 6 })
                .map((chars) => chars.join("")),
              { maxLength: 8 },
            ),
            fc.boolean(),
            fc.integer({ min: 1, max: 10 }),
            fc.integer({ min: 1, max: 80 }),
            async (lines, trailingNewline, tailLines, maxBytes) => {
              const content = lines.join("\n") + (trailingNewline && lines.length > 0 ? "\n" : "");
              await Deno.writeTextFile(path, content);
              const bytes = new TextEncoder().encode(content).length;
              const tail = await readTail(path, tailLines, maxBytes);
              assert.equal(tail.sizeBytes, bytes);
              assert.ok(!tail.text.includes("\uFFFD"));
              assert.ok(tail.lines <= tailLines);
              const body = content.endsWith("\n") ? content.slice(0, -1) : content;
              assert.ok(body.endsWith(tail.text), "returned text is the end of the file");
              if (bytes <= maxBytes) {
                const all = content === "" ? [] : body.split("\n");
                assert.deepEqual(
                  tail.text === "" && tail.lines === 0 ? [] : tail.text.split("\n"),
                  all.slice(-tailLines),
                );
                assert.equal(tail.truncated, all.length > tailLines);
              } else {
                assert.equal(tail.truncated, true);
              }
            },
          ),
          { numRuns: 200 },
        );
      } finally {
        await Deno.remove(path);
      }
    },
  );
});

/** A temp dir holding a FIFO, a directory, a sparse 2 GB file and a long line without newline. */
async function withSpecialFiles(
  fn: (paths: { fifo: string; dir: string; huge: string; oneLine: string }) => Promise<void>,
) {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "pbs-mcp-special-" }));
  const paths = {
    fifo: `${root}/pipe`,
    dir: `${root}/subdir`,
    huge: `${root}/huge`,
    oneLine: `${root}/one-line`,
  };
  try {
    const mkfifo = await new Deno.Command("mkfifo", { args: [paths.fifo] }).output();
    assert.ok(mkfifo.success, "mkfifo");
    await Deno.mkdir(paths.dir);
    // Sparse: 2 GB long, no disk used; reading it whole would take 2 GB of memory.
    await Deno.writeFile(paths.huge, new TextEncoder().encode("#!/bin/bash\n"));
    await Deno.truncate(paths.huge, 2_000_000_000);
    await Deno.writeTextFile(paths.oneLine, "x".repeat(20_000));
    await fn(paths);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("only regular files are read, never more than the cap", async (t) => {
  await withSpecialFiles(async ({ fifo, dir, huge, oneLine }) => {
    await t.step("a FIFO is refused at once (no writer needed, no hang)", async () => {
      await rejectsWith(readTail(fifo, 10, 1_000), "invalid_input", /named pipe/);
      await rejectsWith(readScript(fifo, MAX_SCRIPT_FILE_BYTES), "invalid_input", /named pipe/);
    });

    await t.step("a character device is refused, not read until memory runs out", async () => {
      await rejectsWith(
        readScript("/dev/zero", MAX_SCRIPT_FILE_BYTES),
        "invalid_input",
        /character device/,
      );
      await rejectsWith(readTail("/dev/zero", 10, 1_000), "invalid_input", /character device/);
    });

    await t.step("a directory is a clear typed error", async () => {
      await rejectsWith(readTail(dir, 10, 1_000), "invalid_input", /is a directory/);
      await rejectsWith(readScript(dir, MAX_SCRIPT_FILE_BYTES), "invalid_input", /is a directory/);
    });

    await t.step("a script over the cap is refused by its size", async () => {
      await rejectsWith(
        readScript(huge, MAX_SCRIPT_FILE_BYTES),
        "invalid_input",
        /over 1048576 bytes \(2000000000\)/,
      );
    });

    await t.step("a huge output file costs only its tail", async () => {
      const tail = await readTail(huge, 10, 1_000);
      assert.equal(tail.sizeBytes, 2_000_000_000);
      assert.equal(tail.truncated, true);
      assert.equal(tail.text, "\0".repeat(1_000));
    });

    await t.step(
      "a window inside one long line without newline returns that line's end",
      async () => {
        const tail = await readTail(oneLine, 10, 10_000);
        assert.equal(tail.lines, 1);
        assert.equal(tail.text, "x".repeat(10_000));
        assert.equal(tail.truncated, true);
      },
    );

    await t.step("a script at the cap is read whole", async () => {
      const path = `${dir}/at-cap.sh`;
      const text = `#!/bin/bash\n${"y".repeat(MAX_SCRIPT_FILE_BYTES - 13)}\n`;
      await Deno.writeTextFile(path, text);
      assert.equal(await readScript(path, MAX_SCRIPT_FILE_BYTES), text);
    });
  });
});
