import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { checkCommand, resolveProgram, tokenizeCommand } from "../../lib/security/shell.ts";
import { createWorkspace, type Workspace } from "../../lib/security/workspace.ts";
import { isAgentError } from "../../lib/errors.ts";

const ALLOWED = [
  "ls",
  "cat",
  "head",
  "tail",
  "wc",
  "grep",
  "sort",
  "uniq",
  "ping",
  "dig",
  "date",
  "ip",
  "nslookup",
  "free",
  // listed by a careless operator: must still be refused
  "sh",
  "bash",
  "env",
  "python3",
  "node",
  "awk",
  "sed",
  "find",
  "xargs",
  "git",
  "tar",
  "curl",
  "wget",
  "busybox",
  "unknowntool",
];

describe("checkCommand()", () => {
  let tmp: string;
  let workspace: Workspace;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-sh-")));
    fs.mkdirSync(path.join(tmp, "ws", "logs"), { recursive: true });
    fs.writeFileSync(path.join(tmp, "ws", "a.txt"), "a\n");
    fs.writeFileSync(path.join(tmp, "ws", "-rf"), "tricky name\n");
    fs.writeFileSync(path.join(tmp, "ws", ".env"), "KEY=1\n");
    fs.symlinkSync("/etc/passwd", path.join(tmp, "ws", "pw"));
    fs.symlinkSync("logs", path.join(tmp, "ws", "logs_link"));
    workspace = createWorkspace({ root: path.join(tmp, "ws") });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const check = (command: string, allowed: readonly string[] = ALLOWED) =>
    checkCommand(command, { allowed, workspace });

  async function refused(
    command: string,
    pattern: RegExp,
    allowed?: readonly string[],
  ): Promise<void> {
    await assert.rejects(check(command, allowed), (error: unknown) => {
      assert.ok(isAgentError(error), `${command}: ${String(error)}`);
      assert.equal(error.code, "E_POLICY_BLOCKED");
      assert.match(error.message, /^Cannot (run command|use)/);
      assert.match(error.message, pattern, command);
      return true;
    }, command);
  }

  it("accepts allowed programs with profiled options and workspace paths", async () => {
    assert.deepEqual(await check("ls"), { program: "ls", args: [] });
    assert.deepEqual(await check("ls -la logs"), { program: "ls", args: ["-la", "logs"] });
    assert.deepEqual(await check("head -n 5 a.txt"), {
      program: "head",
      args: ["-n", "5", "a.txt"],
    });
    assert.deepEqual(await check("head -n5 ./a.txt"), { program: "head", args: ["-n5", "a.txt"] });
    assert.deepEqual(await check("tail -3 a.txt"), { program: "tail", args: ["-3", "a.txt"] });
    assert.deepEqual(await check('grep -n "hello world" a.txt'), {
      program: "grep",
      args: ["-n", "hello world", "a.txt"],
    });
    assert.deepEqual(await check("grep --ignore-case --max-count=2 x a.txt"), {
      program: "grep",
      args: ["--ignore-case", "--max-count=2", "x", "a.txt"],
    });
    await assert.rejects(check("cat logs_link/../a.txt"), /"\.\." segments are not allowed/);
    assert.deepEqual(await check("ls logs_link"), { program: "ls", args: ["logs"] });
    assert.deepEqual(await check("cat -- -rf"), { program: "cat", args: ["--", "./-rf"] });
    assert.deepEqual(await check("ping -c 3 mikrotik.com"), {
      program: "ping",
      args: ["-c", "3", "mikrotik.com"],
    });
    assert.deepEqual(await check("dig +short @1.1.1.1 mikrotik.com A"), {
      program: "dig",
      args: ["+short", "@1.1.1.1", "mikrotik.com", "A"],
    });
    assert.deepEqual(await check("ip -br addr show"), {
      program: "ip",
      args: ["-br", "addr", "show"],
    });
    assert.deepEqual(await check("nslookup -type=MX mikrotik.com"), {
      program: "nslookup",
      args: ["-type=MX", "mikrotik.com"],
    });
    assert.deepEqual(await check("date +%Y-%m-%d"), { program: "date", args: ["+%Y-%m-%d"] });
  });

  it("denies everything when ALLOWED_SHELL_CMDS is unset or empty", async () => {
    await refused("ls", /no programs are allowed; set ALLOWED_SHELL_CMDS/, []);
    await refused("ls", /no programs are allowed/, [" ", ""]);
    await refused("cat a.txt", /not in ALLOWED_SHELL_CMDS/, ["ls"]);
  });

  it("refuses shell metacharacters, substitutions and chaining", async () => {
    const cases: [string, RegExp][] = [
      ["ls; cat /etc/passwd", /';'/],
      ["ls && cat /etc/passwd", /'&'/],
      ["ls || id", /'\|'/],
      ["cat a.txt | sh", /'\|'/],
      ["cat $(echo /etc/passwd)", /'\$'/],
      ["cat `id`", /'`'/],
      ["cat $HOME/.ssh/id_rsa", /'\$'/],
      ["cat ${PATH}", /'\$'/],
      ["ls > out.txt", /'>'/],
      ["cat < /etc/passwd", /'<'/],
      ["ls\ncat /etc/passwd", /newline/],
      ["ls\rid", /carriage return/],
      ["ls (x)", /'\('/],
      ["ls {a,b}", /'\{'/],
      ["cat *.txt", /globs/],
      ["cat a.tx?", /globs/],
      ["cat [a].txt", /globs/],
      ["cat a\\.txt", /escapes/],
      ['grep "$(id)" a.txt', /'\$'/],
      ["cat 'a.txt; id'", /';'/],
      ["cat ~/.ssh/id_rsa", /'~'/],
      ["ls # comment", /'#'/],
      ["cat 'unterminated", /unterminated/],
      ["ls \u0000", /control/],
      ["", /empty/],
    ];
    for (const [command, pattern] of cases) await refused(command, pattern);
  });

  it("refuses interpreters and exec-capable programs even when listed", async () => {
    for (
      const command of [
        "sh -c id",
        "bash -c id",
        "env cat a.txt",
        "python3 -c print(1)",
        "node -e 1",
        "awk BEGIN{system(id)}",
        "sed -e 1e a.txt",
        "find . -exec id",
        "find . -delete",
        "xargs id",
        "git status",
        "tar --to-command=id -xf a.tar",
        "curl -o x http://e.com",
        "wget -O x http://e.com",
        "busybox sh",
        "python3.12 x",
        "perl5.36 x",
      ]
    ) {
      await refused(command, /interpreter or can run other programs|metacharacter/);
    }
    await refused("unknowntool x", /no argument profile/);
    await refused("/bin/sh -c id", /not a bare program name/);
    await refused("./ls", /not a bare program name/);
  });

  it("refuses unknown, dangerous and abbreviated options (CVE-2026-28363)", async () => {
    await refused("sort --compress-program=sh a.txt", /option --compress-program is not allowed/);
    await refused("sort --compress-prog=sh a.txt", /option --compress-prog is not allowed/);
    await refused("sort --num a.txt", /abbreviated long options are not accepted.*--numeric-sort/);
    await refused("grep --ignore a.txt", /abbreviated.*--ignore-case/);
    await refused("sort -o out.txt a.txt", /option -o is not allowed/);
    await refused("sort -T /tmp a.txt", /option -T is not allowed/);
    await refused("grep -r secret .", /option -r is not allowed/);
    await refused("grep -f /etc/passwd a.txt", /option -f is not allowed/);
    await refused("tail -f a.txt", /option -f is not allowed/);
    await refused("ls --color=always", /not allowed/);
    await refused("head -n abc a.txt", /needs a number/);
    await refused("head -n", /needs a value/);
    await refused("ls --all=yes", /takes no value/);
    await refused("date -s 2020-01-01", /option -s is not allowed/);
    await refused("date 010100002020", /only a \+FORMAT operand/);
    await refused("ping mikrotik.com", /needs -c COUNT/);
    await refused("ping -c 1 -f mikrotik.com", /option -f is not allowed/);
    await refused("ping -c 1 -- -x", /not a host name/);
    await refused("dig +exec mikrotik.com", /query option "\+exec"/);
    await refused("dig -f names.txt", /option -f is not allowed/);
    await refused("ip route add default via 1.2.3.4", /only "show"/);
    await refused("ip -batch cmds.txt", /option -batch is not allowed/);
    await refused("ip -b cmds.txt", /option -b is not allowed/);
    await refused("ip netns exec x id", /needs one of/);
    await refused("uniq a.txt out.txt", /at most 1 file operand/);
    await refused("free -h extra", /takes no operands/);
  });

  it("refuses path operands outside the workspace and `--` tricks", async () => {
    await refused("cat /etc/passwd", /absolute paths/);
    await refused("cat ../../etc/passwd", /"\.\." segments/);
    await refused("cat -- /etc/passwd", /absolute paths/);
    await refused("cat pw", /outside the workspace/);
    await refused("head -n 1 .env", /protected path/);
    await refused("ls ..", /"\.\." segments/);
    await refused("cat %2e%2e/x", /percent-decoding/);
    await assert.rejects(check("wc -l missing.txt"), /Cannot use "missing.txt": no such file/);
  });

  it("tokenizes quotes without a shell", () => {
    assert.deepEqual(tokenizeCommand(`grep "a b" 'c d' e"f g"h ''`), [
      "grep",
      "a b",
      "c d",
      "ef gh",
      "",
    ]);
    assert.deepEqual(tokenizeCommand("  ls   -l  "), ["ls", "-l"]);
  });

  it("never accepts a command containing a shell metacharacter (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 20 }),
        fc.constantFrom(";", "&", "|", "$", "`", ">", "<", "(", ")", "\n", "*", "{"),
        fc.string({ maxLength: 20 }),
        async (left, meta, right) => {
          await assert.rejects(check(`cat ${left}${meta}${right}`), /Cannot/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("resolves programs only from the trusted PATH", async () => {
    assert.match(await resolveProgram("ls"), /^\/(usr\/)?bin\/ls$/);
    await assert.rejects(resolveProgram("ls", "relative/bin:."), /not found in relative\/bin:\./);
    await assert.rejects(resolveProgram("no-such-program-xyz"), /not found in \/usr\/bin:\/bin/);
  });
});
