import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { bin, ROOT } from "../examples/_spawn.ts";

// Packaging, not the runtime: slow (tsc + npm), so it runs under `node --test` only.
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const skip = g.Deno || g.Bun
  ? "packaging test (npm pack + install + npx): runs under node --test only"
  : undefined;
if (skip) console.log(`# ${skip}`);

const ENV = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
  NO_COLOR: "1",
};

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: ENV, timeout: 240_000 });
  assert.equal(
    r.status,
    0,
    `${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`,
  );
  return r.stdout;
}

function installByHand(tarball: string, project: string): void {
  const target = join(project, "node_modules/mikroclaw");
  mkdirSync(target, { recursive: true });
  run("tar", ["xzf", tarball, "-C", target, "--strip-components=1"], project);
  const manifest = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    bin: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(project, "node_modules", dep)), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(project, "node_modules", dep));
  }
  mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
  for (const [name, path] of Object.entries(manifest.bin)) {
    symlinkSync(join("../mikroclaw", path), join(project, "node_modules/.bin", name));
  }
}

describe("npm package", { skip }, () => {
  let work: string;
  let project: string;
  let routerBefore: string[];
  before(() => {
    // what a user does: build everything, then pack (prepack rebuilds only dist/npm/)
    run(bin("node"), ["scripts/build.ts"], ROOT);
    routerBefore = readdirSync(join(ROOT, "dist/router")).sort();
    work = mkdtempSync(join(tmpdir(), "mikroclaw-pack-"));
    run("npm", ["pack", "--pack-destination", work, "--silent"], ROOT);
    project = join(work, "project");
    run("mkdir", ["-p", project], work);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "t", private: true, type: "module" }),
    );
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    // dependencies resolve from the npm cache `npm ci` filled: no network
    const installed = spawnSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", tarball],
      { cwd: project, encoding: "utf8", env: ENV, timeout: 240_000 },
    );
    if (installed.status !== 0) {
      // The cache lacks a dependency (ENOTCACHED): install by hand what npm would — the
      // tarball's files, its dependencies from this checkout, the bin link.
      console.log(
        `# npm install --offline failed, installing the tarball by hand:\n# ${
          installed.stderr.split("\n")[0]
        }`,
      );
      installByHand(tarball, project);
    }
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("npm run build && npm pack leaves dist/router/ and dist/mikroclaw.mjs in place", () => {
    assert.ok(routerBefore.includes("mikroclaw.mjs"));
    assert.deepEqual(readdirSync(join(ROOT, "dist/router")).sort(), routerBefore);
    assert.match(run(bin("node"), ["dist/mikroclaw.mjs", "--version"], ROOT), /^\d+\.\d+\.\d+/);
  });

  it("ships compiled JS and types, no tests, sources or maps of the bundle", () => {
    const listing = run("npm", ["pack", "--dry-run", "--json"], ROOT);
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0]!.files.map((f) =>
      f.path
    );
    assert.ok(files.includes("dist/npm/cli/mikroclaw.js"));
    assert.ok(!files.some((f) => f.startsWith("dist/router") || f.endsWith(".mjs")));
    assert.ok(files.some((f) => f.endsWith(".d.ts")));
    assert.ok(
      !files.some((f) =>
        f.endsWith("_test.js") || f.startsWith("test/") || f.endsWith(".ts") && !f.endsWith(".d.ts")
      ),
    );
  });

  it("npx mikroclaw --help works", () => {
    const out = run("npx", ["--offline", "mikroclaw", "--help"], project);
    assert.match(out, /USAGE mikroclaw/);
  });

  it('import { createAgent } from "mikroclaw" works', () => {
    writeFileSync(
      join(project, "use.mjs"),
      'import { createAgent, createMockProvider } from "mikroclaw";\n' +
        'const agent = createAgent({ provider: createMockProvider(["hi there"]) });\n' +
        'console.log((await agent.run({ input: "hi", sessionKey: "s" })).text);\n',
    );
    assert.equal(run(bin("node"), ["use.mjs"], project).trim(), "hi there");
  });
});

describe("JSR package", { skip }, () => {
  it("deno publish --dry-run passes (no slow types)", () => {
    const r = spawnSync(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...ENV, DENO_NO_UPDATE_CHECK: "1" },
      timeout: 240_000,
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /Dry run complete/);
  });
});
