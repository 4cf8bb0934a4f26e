/**
 * The Deno permission flags of a task shipped in deno.json, so that the tests
 * which start main.ts as a subprocess run it exactly as `deno task NAME` does.
 */
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/** The flags between `deno run` and `main.ts` in task `name`, with `$HOME` replaced by `home`. */
export function taskFlags(name: "start" | "demo", home: string): string[] {
  const tasks = JSON.parse(Deno.readTextFileSync(DENO_JSON)).tasks as Record<string, string>;
  const words = tasks[name].split(/\s+/);
  const main = words.indexOf("main.ts");
  if (words[0] !== "deno" || words[1] !== "run" || main < 0) {
    throw new Error(`task ${name} is not 'deno run FLAGS main.ts ...': ${tasks[name]}`);
  }
  return words.slice(2, main).map((word) => word.replaceAll("$HOME", home));
}
