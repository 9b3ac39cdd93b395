/**
 * Bundles a benchmark server script with esbuild the way `scripts/build.ts` builds the
 * deployable bundle (esm, minified, one file), so subject and baseline load the same way.
 * @module
 */
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./_util.ts";

/** Bundles `entry` (relative to the repository root) into `outfile`. */
export async function bundleScript(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: ROOT,
    // a CJS dependency may call require() for Node built-ins (as in scripts/build.ts)
    banner: {
      js:
        `import { createRequire as __mcCreateRequire } from "node:module"; const require = __mcCreateRequire(import.meta.url);`,
    },
  });
}
