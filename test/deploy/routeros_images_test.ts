/**
 * The router script fits the images and a new user's router: it picks the image file by
 * `architecture-name`, leaves an LLM key slot when no key is set, touches the `LAN` list only
 * when it exists, keeps storage at the image default, and its header names one import path
 * without telling the user both "do not edit" and "fill in".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../lib/config/mod.ts";
import { routerosSetupScript, SET_ME } from "../../lib/deploy/mod.ts";
import { ROUTER_IMAGES, SCRIPT_FILE } from "../../lib/deploy/routeros_script.ts";

const BASE_ENV = { BOT_TOKEN: "111:telegram-token-value", TELEGRAM_ALLOWLIST: "42" };
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

test("the image is chosen by architecture-name among the files npm run image writes", async () => {
  const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
  for (const image of ROUTER_IMAGES) {
    assert.ok(
      s.includes(`:if ($arch = "${image.architectureName}") do={ :set image "${image.file}" }`),
      image.file,
    );
  }
  assert.match(s, /:if \(\$image = ""\) do=\{ :error /);
  assert.match(s, /\/container\/add file=\("usb1\/" \. \$image\)/);
  const fixed = routerosSetupScript(await loadConfig({ env: BASE_ENV }), { imageFile: "my.tar" });
  assert.match(fixed, /:local image "my\.tar"/);
  assert.doesNotMatch(fixed, /:set image/);
});

test("with no LLM key set the script leaves an LLM_API_KEY slot that refuses to run empty", async () => {
  const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
  const slot = /^:local (\w+) "<set me>"\n#\s+\^ LLM_API_KEY$/m.exec(s);
  assert.ok(slot, "no LLM_API_KEY slot");
  assert.ok(s.includes(`key="LLM_API_KEY" value=$${slot[1]}`));
  assert.ok(
    s.includes(
      `:if ($${slot[1]} = "${SET_ME}") do={ :error "Cannot set up MikroClaw: fill in LLM_API_KEY`,
    ),
  );
  const withKey = routerosSetupScript(
    await loadConfig({ env: { ...BASE_ENV, OPENROUTER_API_KEY: "sk-or-x" } }),
  );
  assert.doesNotMatch(withKey, /LLM_API_KEY/);
  assert.match(withKey, /key="OPENROUTER_API_KEY"/);
});

test("the LAN list is used only if it exists, and the script says what to do otherwise", async () => {
  const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
  const line = s.split("\n").find((l) => l.includes("/interface/list/member/add"));
  assert.ok(
    line?.startsWith(':if ([:len [/interface/list/find where name="LAN"]] > 0) do={'),
    line,
  );
  assert.match(
    line ?? "",
    /else=\{ :put "MikroClaw: no interface list LAN: let 172\.17\.0\.0\/24 reach/,
  );
});

test("the header has one import path, the README's, and no contradictory instructions", async () => {
  const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
  const header = s.slice(0, s.indexOf("\n{\n"));
  assert.doesNotMatch(header, /do not edit/i);
  assert.ok(header.includes(`fill in every "${SET_ME}"`));
  assert.ok(header.includes(`/import file-name=usb1/${SCRIPT_FILE}`));
  assert.ok(README.includes(`/import file-name=usb1/${SCRIPT_FILE}`));
  for (const image of ROUTER_IMAGES) {
    assert.ok(README.includes(image.file), `README names ${image.file}`);
  }
});

test("storage stays the image default (memory) unless Redis is configured", async () => {
  const s = routerosSetupScript(await loadConfig({ env: BASE_ENV }));
  assert.doesNotMatch(s, /^\/container\/envs\/add .*key="MIKROCLAW_STORAGE"/m);
  assert.match(s, /^# .*key="MIKROCLAW_STORAGE" value="fs:\/data\/state"/m);
  const redis = routerosSetupScript(
    await loadConfig({ env: { ...BASE_ENV, MIKROCLAW_STORAGE: "redis://10.0.0.5:6379/0" } }),
  );
  assert.match(redis, /key="MIKROCLAW_STORAGE" value="redis:\/\/10\.0\.0\.5:6379\/0"/);
});
