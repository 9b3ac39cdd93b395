import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { loadConfig } from "../../lib/config/mod.ts";
import { quoteRouterOS, routerosSetupScript, SET_ME } from "../../lib/deploy/mod.ts";
import { encryptValue } from "../../lib/secrets/mod.ts";
import { EXAMPLE_RSC, renderExample } from "../../scripts/routeros_example.ts";

/** Decodes one RouterOS double-quoted string (the reverse of quoteRouterOS), strictly. */
function unquote(text: string): string {
  assert.ok(text.startsWith('"') && text.endsWith('"') && text.length >= 2, `not quoted: ${text}`);
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    assert.notEqual(c, '"', "unescaped quote inside a string");
    assert.notEqual(c, "$", "unescaped $ inside a string");
    assert.ok(c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f, "raw non-printable character");
    if (c !== "\\") {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const next = body[++i];
    if (next !== undefined && '"\\$?'.includes(next)) bytes.push(next.charCodeAt(0));
    else {
      const hex = body.slice(i, i + 2);
      assert.match(hex, /^[0-9A-F]{2}$/, `bad escape \\${hex}`);
      bytes.push(parseInt(hex, 16));
      i++;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const BASE_ENV = { BOT_TOKEN: "111:telegram-token-value", TELEGRAM_ALLOWLIST: "42" };

/** `key="..." value=...` pairs of the /container/envs/add lines. */
function envLines(script: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of script.split("\n")) {
    const m =
      /^\/container\/envs\/add (?:list|name)="mikroclaw" key=("(?:[^"\\]|\\.)*") value=(.*)$/.exec(
        line,
      );
    if (m) out.set(unquote(m[1]!), m[2]!);
  }
  return out;
}

describe("quoteRouterOS()", () => {
  it("escapes quotes, backslashes, $, ? and line breaks", () => {
    assert.equal(quoteRouterOS('a"b\\c$d?e\nf'), '"a\\"b\\\\c\\$d\\?e\\0Af"');
    assert.equal(quoteRouterOS(""), '""');
    assert.equal(quoteRouterOS("é"), '"\\C3\\A9"');
  });
  // 500 property runs: seconds on a loaded machine, over Bun's 5 s default.
  it("round-trips any string and never leaves a raw quote, $, or control character", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const quoted = quoteRouterOS(s);
        assert.equal(
          unquote(quoted),
          s.isWellFormed() ? s : new TextDecoder().decode(new TextEncoder().encode(s)),
        );
        assert.ok(!/[\r\n]/.test(quoted));
      }),
      { numRuns: 500 },
    );
  });
});

describe("routerosSetupScript()", () => {
  it("equals the committed examples/routeros/mikroclaw.rsc (regenerate: node scripts/routeros_example.ts)", async () => {
    assert.equal(readFileSync(EXAMPLE_RSC, "utf8"), await renderExample());
  });

  it("never writes a plain secret; secrets become <set me> variables with a guard", async () => {
    const env = {
      ...BASE_ENV,
      OPENAI_API_KEY: "sk-very-secret",
      LLM_PROVIDER: "openai",
      ROUTER_PASS: "router-pw",
      ROUTER_USER: "admin",
      ROUTER_HOST: "192.168.88.1",
    };
    const script = routerosSetupScript(await loadConfig({ env }), { env });
    for (const secretText of ["sk-very-secret", "111:telegram-token-value", "router-pw"]) {
      assert.ok(!script.includes(secretText), `${secretText} leaked`);
    }
    const envs = envLines(script);
    assert.match(envs.get("BOT_TOKEN")!, /^\$secret\d+$/);
    assert.match(envs.get("OPENAI_API_KEY")!, /^\$secret\d+$/);
    const variable = envs.get("BOT_TOKEN")!.slice(1);
    assert.ok(script.includes(`:local ${variable} "${SET_ME}"`));
    assert.ok(script.includes(`:if ($${variable} = "${SET_ME}") do={ :error`));
    // the router password is generated on the router, the user comes from the deployment
    assert.equal(envs.get("ROUTER_PASS"), "$routerPass");
    assert.equal(unquote(envs.get("ROUTER_USER")!), "mikroclaw");
    assert.equal(unquote(envs.get("ROUTER_URL")!), "http://172.17.0.1/rest");
    assert.equal(envs.has("ROUTER_HOST"), false);
  });

  it("copies ENCRYPTED: secrets as they are", async () => {
    const key = "k".repeat(40);
    const encrypted = await encryptValue("111:telegram-token-value", key);
    const env = { ...BASE_ENV, BOT_TOKEN: encrypted, MIKROCLAW_SECRET_KEY: key };
    const script = routerosSetupScript(await loadConfig({ env }), { env });
    const envs = envLines(script);
    assert.equal(unquote(envs.get("BOT_TOKEN")!), encrypted);
    assert.match(envs.get("MIKROCLAW_SECRET_KEY")!, /^\$secret\d+$/);
    assert.ok(!script.includes(key));
  });

  it("grants write only when ROUTEROS_ALLOW_WRITE is on, and limits the user to the subnet", async () => {
    const ro = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
    assert.match(ro, /\/user\/group\/add name="mikroclaw" policy="read,api,rest-api"/);
    assert.doesNotMatch(ro, /policy="[^"]*write/);
    assert.match(ro, /\/user\/add name="mikroclaw" group="mikroclaw" address="172\.17\.0\.0\/24"/);
    const rw = routerosSetupScript(
      await loadConfig({ env: { ...BASE_ENV, ROUTEROS_ALLOW_WRITE: "1" } }),
    );
    assert.match(rw, /policy="read,write,api,rest-api"/);
  });

  it("has every required part", async () => {
    const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }), { ramHigh: "200MiB" });
    for (
      const part of [
        '/system/package/find where name="container"',
        "device-mode",
        "/interface/veth/add",
        "/interface/bridge/add",
        "/ip/address/add",
        "/interface/bridge/port/add",
        "action=masquerade",
        '/interface/list/member/add list="LAN" interface="containers"',
        '/ip/service/set [find where name="www"]',
        'ram-high="200MiB"',
        '/container/mounts/add list="mikroclaw-data"',
        'dst="/data"',
        "start-on-boot=yes",
        "logging=yes",
        'envlists="mikroclaw"',
      ]
    ) assert.ok(s.includes(part), `missing ${part}`);
    assert.equal(s.split("\n").filter((l) => l === "{").length, 1);
    assert.ok(s.trimEnd().endsWith("}"));
  });

  it("uses the pre-7.20 syntax when legacy is set", async () => {
    const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }), { legacy: true });
    assert.match(s, /\/container\/envs\/add name="mikroclaw"/);
    assert.match(s, /envlist="mikroclaw" mounts="mikroclaw-data"/);
    assert.doesNotMatch(s, /envlists=/);
  });

  it("keeps hostile values inside their quotes (quotes, $, backslash, newline)", async () => {
    const hostile = 'x" ; /system/reset-configuration ; :put "$y\\\n/user/remove admin ?';
    const env = { ...BASE_ENV, SYSTEM_PROMPT: hostile, MODEL: 'm"$[:put 1]' };
    const s = routerosSetupScript(await loadConfig({ env }), {
      env,
      name: 'mc"$x',
      disk: "usb1\n/system/reboot",
    });
    const envs = envLines(s.replaceAll(quoteRouterOS('mc"$x'), '"mikroclaw"'));
    assert.equal(unquote(envs.get("SYSTEM_PROMPT")!), hostile);
    assert.equal(unquote(envs.get("MODEL")!), 'm"$[:put 1]');
    for (const line of s.split("\n")) {
      assert.ok(
        !line.startsWith("/system/reset") && !line.startsWith("/user/remove") &&
          !line.startsWith("/system/reboot"),
        line,
      );
    }
  });

  it("refuses bad addresses and empty names", async () => {
    const config = await loadConfig({ env: BASE_ENV });
    assert.throws(
      () => routerosSetupScript(config, { containerAddress: "300.1.1.1/24" }),
      TypeError,
    );
    assert.throws(
      () =>
        routerosSetupScript(config, { containerAddress: "10.0.0.2/24", routerAddress: "10.0.1.1" }),
      /not in the container subnet/,
    );
    assert.throws(() => routerosSetupScript(config, { name: " " }), /name is empty/);
  });
});
