/**
 * Reading the environment by name. The server never asks for the whole
 * environment (`Deno.env.toObject()` needs unrestricted `--allow-env`): it
 * reads the variables it knows, so `--allow-env` can list exactly those
 * (src/permissions.ts computes the list).
 */

/**
 * The set variables among `names`. Throws an Error naming the first variable
 * Deno refuses, with where the right flags come from: a variable silently
 * skipped could turn off a setting such as PBS_MCP_READ_ONLY.
 */
export function readEnv(names: Iterable<string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    let value: string | undefined;
    try {
      value = Deno.env.get(name);
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new Error(
          `cannot read the environment variable ${name}: grant it with --allow-env ` +
            "(`deno task permissions` prints the exact flags for this machine)",
        );
      }
      throw error;
    }
    if (value !== undefined) env[name] = value;
  }
  return env;
}
