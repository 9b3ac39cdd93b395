import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { createWorkspace } from "../../lib/security/workspace.ts";
import { isAgentError } from "../../lib/errors.ts";

/** Every file under `dir` with its content (links shown as their target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isSymbolicLink()) out[p] = "-> " + fs.readlinkSync(p);
      else if (entry.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe("createWorkspace()", () => {
  let tmp: string;
  let ws: string;
  let outside: string;
  let outsideBefore: Record<string, string>;

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-ws-")));
    ws = path.join(tmp, "ws");
    outside = path.join(tmp, "outside");
    fs.mkdirSync(path.join(ws, "sub"), { recursive: true });
    fs.mkdirSync(path.join(outside, "sub"), { recursive: true });
    fs.writeFileSync(path.join(ws, "hello.txt"), "hello world\n");
    fs.writeFileSync(path.join(ws, "sub", "inner.txt"), "inner\n");
    fs.writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET\n");
    fs.writeFileSync(path.join(outside, "sub", "inner.txt"), "OUTSIDE INNER\n");
    fs.mkdirSync(path.join(ws, ".git"));
    fs.writeFileSync(path.join(ws, ".git", "config"), "[core]\n");
    fs.writeFileSync(path.join(ws, ".env"), "KEY=1\n");
    fs.mkdirSync(path.join(ws, "private"));
    fs.writeFileSync(path.join(ws, "private", "notes.txt"), "private\n");
    fs.symlinkSync("/etc", path.join(ws, "link_etc"));
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(ws, "link_secret"));
    fs.symlinkSync(outside, path.join(ws, "linkdir"));
    fs.symlinkSync(path.join(outside, "new.txt"), path.join(ws, "dangling"));
    fs.symlinkSync("hello.txt", path.join(ws, "link_inside"));
    fs.writeFileSync(path.join(ws, "binary.bin"), new Uint8Array([1, 0, 2]));
    fs.writeFileSync(path.join(ws, "big.txt"), "y".repeat(5000));
    outsideBefore = snapshot(outside);
  });
  after(() => {
    assert.deepEqual(snapshot(outside), outsideBefore, "something changed outside the workspace");
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const make = (extra: Partial<Parameters<typeof createWorkspace>[0]> = {}) =>
    createWorkspace({
      root: ws,
      forbidden: ["private", path.join(tmp, "ws", "sub", "deny")],
      ...extra,
    });

  async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(isAgentError(error), String(error));
      assert.match(error.message, /^Cannot (read|write|use)/);
      assert.match(error.message, pattern);
      return true;
    });
  }

  it("reads and writes inside the workspace", async () => {
    const w = make();
    assert.equal((await w.readText("hello.txt")).text, "hello world\n");
    assert.equal((await w.readText("./sub//inner.txt")).text, "inner\n");
    assert.equal((await w.readText("link_inside")).text, "hello world\n");
    const written = await w.writeText("new/deep/file.txt", "content ✓");
    assert.deepEqual(written, { path: "new/deep/file.txt", bytes: 11 });
    assert.equal(fs.readFileSync(path.join(ws, "new/deep/file.txt"), "utf8"), "content ✓");
    await w.writeText("new/deep/file.txt", "replaced");
    assert.equal(fs.readFileSync(path.join(ws, "new/deep/file.txt"), "utf8"), "replaced");
    assert.deepEqual(
      fs.readdirSync(path.join(ws, "new/deep")),
      ["file.txt"],
      "temp file left behind",
    );
  });

  it("uses the fixed root, not the current directory", async () => {
    const w = make();
    assert.equal(w.root, ws);
    assert.equal(await w.resolveForRead("hello.txt"), path.join(ws, "hello.txt"));
    assert.throws(() => createWorkspace({ root: "/" }), TypeError);
  });

  it("refuses traversal in all its forms", async () => {
    const w = make();
    const cases: [string, RegExp][] = [
      ["../outside/secret.txt", /"\.\." segments/],
      ["sub/../../outside/secret.txt", /"\.\." segments/],
      ["..%2foutside%2fsecret.txt", /after percent-decoding/],
      ["%2e%2e/outside/secret.txt", /after percent-decoding/],
      ["%252e%252e/outside/secret.txt", /after percent-decoding/],
      ["..\\outside\\secret.txt", /backslashes/],
      ["/etc/passwd", /absolute paths/],
      ["%2fetc%2fpasswd", /absolute paths/],
      ["C:/Windows/win.ini", /absolute paths/],
      ["hello.txt\0.png", /NUL byte/],
      ["hello.txt%00.png", /NUL byte/],
      ["~/.ssh/id_rsa", /protected path|"~"/],
      ["line\nbreak", /control characters/],
      [".git/config", /protected path/],
      ["sub/.SSH/id_rsa", /protected path/],
      [".env", /protected path/],
      [".env.production", /protected path/],
      ["private/notes.txt", /FORBIDDEN_PATHS/],
      ["x".repeat(5000), /longer than 4096/],
    ];
    for (const [p, pattern] of cases) {
      await refused(w.readText(p), pattern);
      await refused(w.writeText(p, "pwned"), pattern);
    }
  });

  it("refuses symbolic links that lead outside", async () => {
    const w = make();
    await refused(w.readText("link_etc/passwd"), /outside the workspace/);
    await refused(w.readText("link_secret"), /outside the workspace/);
    await refused(w.readText("linkdir/secret.txt"), /outside the workspace/);
    await refused(w.writeText("linkdir/planted.txt", "pwned"), /parent directory resolves outside/);
    await refused(
      w.writeText("linkdir/sub/planted.txt", "pwned"),
      /parent directory resolves outside/,
    );
    await refused(w.writeText("dangling", "pwned"), /symbolic link/);
    await refused(w.writeText("link_inside", "pwned"), /symbolic link/);
    await refused(w.writeText("link_etc/cron.d/x", "pwned"), /outside/);
    assert.equal(fs.existsSync(path.join(outside, "new.txt")), false);
    assert.equal(fs.readFileSync(path.join(ws, "hello.txt"), "utf8"), "hello world\n");
  });

  it("refuses an absolute FORBIDDEN_PATHS entry by real location", async () => {
    fs.mkdirSync(path.join(ws, "sub", "deny"), { recursive: true });
    fs.writeFileSync(path.join(ws, "sub", "deny", "x.txt"), "x");
    fs.symlinkSync(path.join(ws, "sub", "deny"), path.join(ws, "alias"));
    const w = make();
    await refused(w.readText("alias/x.txt"), /FORBIDDEN_PATHS/);
    await refused(w.writeText("alias/y.txt", "y"), /FORBIDDEN_PATHS/);
  });

  it("a symlink swapped in for the file between check and open cannot escape", async () => {
    const target = path.join(ws, "swap.txt");
    fs.writeFileSync(target, "inside");
    const w = make({
      beforeOpen(real) {
        if (real === target) {
          fs.rmSync(target);
          fs.symlinkSync(path.join(outside, "secret.txt"), target);
        }
      },
    });
    await refused(w.readText("swap.txt"), /symbolic link/);
  });

  it("a parent directory swapped for a symlink between check and open cannot escape", async () => {
    const dir = path.join(ws, "swapdir");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "inner.txt"), "inside");
    const swap = (real: string): void => {
      if (real.startsWith(dir + "/")) {
        fs.rmSync(dir, { recursive: true });
        fs.symlinkSync(path.join(outside, "sub"), dir);
      }
    };
    await refused(
      make({ beforeOpen: swap }).readText("swapdir/inner.txt"),
      /outside the workspace|changed/,
    );
    fs.rmSync(dir);
    fs.mkdirSync(dir);
    await refused(
      make({ beforeOpen: swap }).writeText("swapdir/inner.txt", "pwned"),
      /outside the workspace|changed/,
    );
    fs.rmSync(dir);
  });

  it("caps reads and writes and refuses binary files and directories", async () => {
    const w = make({ maxReadBytes: 1000, maxWriteBytes: 100 });
    const big = await w.readText("big.txt");
    assert.equal(big.truncated, true);
    assert.equal(big.text.length, 1000);
    assert.equal(big.size, 5000);
    await refused(w.writeText("too-big.txt", "z".repeat(101)), /over the 100-byte limit/);
    await refused(w.readText("binary.bin"), /binary/);
    await refused(w.readText("sub"), /directory/);
    await refused(w.readText("missing.txt"), /no such file/);
  });

  it("never writes outside the workspace, whatever the path (property)", async () => {
    const w = make();
    const pieces = [
      "..",
      "%2e%2e",
      "..%2f",
      "%2f",
      "/",
      "\\",
      "%00",
      "link_etc",
      "linkdir",
      "dangling",
      "sub",
      ".",
      "",
      "a.txt",
      "%252e%252e",
      "...",
      "..;",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }),
        async (parts) => {
          const p = parts.join("/");
          try {
            const done = await w.writeText(p, "fuzz");
            const real = fs.realpathSync(path.join(ws, done.path));
            assert.ok(real.startsWith(ws + "/"), `wrote outside: ${real}`);
          } catch (error) {
            assert.ok(isAgentError(error), `unexpected ${String(error)} for ${JSON.stringify(p)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
    assert.deepEqual(snapshot(outside), outsideBefore);
  });
});
