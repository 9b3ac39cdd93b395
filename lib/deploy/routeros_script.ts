/**
 * `routerosSetupScript`: the router side of a container deployment as a commented RouterOS
 * `.rsc` script, generated from the same {@linkcode Config} the CLI loads, so the two never
 * drift: container package check, veth + bridge + address, NAT, a least-privilege RouterOS user
 * for the agent, the `www` service for the REST API, `/container/envs`, mounts, `ram-high`,
 * `start-on-boot` and `logging`.
 * @module
 */
import type { Env } from "../_internal/env.ts";
import type { Config } from "../config/types.ts";
import { VERSION } from "../version.ts";
import { comment, ipv4Cidr, networkOf, quoteRouterOS } from "./_routeros_text.ts";
import { containerSettings } from "./_container_envs.ts";

export { quoteRouterOS };

/** Options of {@linkcode routerosSetupScript}; every name and path has a working default. */
export interface RouterosScriptOptions {
  /** Container name, env/mount list and RouterOS user/group name. @default {"mikroclaw"} */
  name?: string;
  /** Address of the container on its veth, with prefix. @default {"172.17.0.2/24"} */
  containerAddress?: string;
  /** The router's address on the container bridge (also the REST API host). @default {"172.17.0.1"} */
  routerAddress?: string;
  /** veth interface name. @default {"veth-mikroclaw"} */
  veth?: string;
  /** Bridge for containers. @default {"containers"} */
  bridge?: string;
  /** Interface list the default firewall trusts. @default {"LAN"} */
  lanList?: string;
  /** Disk the image, root dir and data live on (USB/NVMe; internal flash is small). @default {"usb1"} */
  disk?: string;
  /**
   * Image tar uploaded to the router (relative to the disk). By default the script picks the
   * one of {@linkcode ROUTER_IMAGES} that matches the router's `architecture-name`.
   */
  imageFile?: string | undefined;
  /** Global container soft RAM cap. @default {"256MiB"} */
  ramHigh?: string;
  /** Pre-7.20 syntax (`name=`, `envlist=`, `mounts=`) instead of `list=`, `envlists=`, `mountlists=`. @default {false} */
  legacy?: boolean;
  /**
   * The raw environment the config was loaded from: a secret whose raw value is an
   * `ENCRYPTED:` value is copied as is (it is safe to store); every other secret becomes a
   * `<set me>` placeholder to fill in before the import.
   */
  env?: Env;
}

/** The image `npm run image` builds for each RouterOS `architecture-name`. */
export const ROUTER_IMAGES: readonly {
  architectureName: string;
  file: string;
  platform: string;
}[] = [
  { architectureName: "arm", file: "mikroclaw-armv7.tar", platform: "linux/arm/v7" },
  { architectureName: "arm64", file: "mikroclaw-arm64.tar", platform: "linux/arm64" },
  { architectureName: "x86_64", file: "mikroclaw-amd64.tar", platform: "linux/amd64" },
];

/** The script's file name on the router's disk (the README's `/import` uses the same). */
export const SCRIPT_FILE = "mikroclaw.rsc";

/** The placeholder a secret gets in the script. */
export const SET_ME = "<set me>";
/**
 * Generates the router-side setup script for running MikroClaw in a RouterOS container.
 * Upload it with the image and run `/import file-name=usb1/mikroclaw.rsc`. Review it first.
 *
 * @throws {TypeError} when an address option is not IPv4 or a name is empty
 * @example
 * ```ts
 * const config = await loadConfig({ env: { BOT_TOKEN: "123:abc", TELEGRAM_ALLOWLIST: "42" } });
 * const rsc = routerosSetupScript(config, { disk: "usb1" });
 * ```
 */
export function routerosSetupScript(config: Config, options: RouterosScriptOptions = {}): string {
  const name = options.name ?? "mikroclaw";
  const veth = options.veth ?? "veth-mikroclaw";
  const bridge = options.bridge ?? "containers";
  const lanList = options.lanList ?? "LAN";
  const disk = (options.disk ?? "usb1").replace(/\/+$/, "");
  const imageFile = options.imageFile;
  const ramHigh = options.ramHigh ?? "256MiB";
  const legacy = options.legacy ?? false;
  for (
    const [what, value] of Object.entries({ name, veth, bridge, lanList, disk, imageFile, ramHigh })
  ) {
    if (value !== undefined && value.trim() === "") {
      throw new TypeError(`Cannot generate RouterOS script: ${what} is empty`);
    }
  }
  const container = ipv4Cidr(options.containerAddress ?? "172.17.0.2/24", "containerAddress");
  const router = ipv4Cidr(options.routerAddress ?? "172.17.0.1", "routerAddress");
  const subnet = networkOf(container.ip, container.prefix);
  if (networkOf(router.ip, container.prefix) !== subnet) {
    throw new TypeError(
      `Cannot generate RouterOS script: routerAddress ${router.ip} is not in the container subnet ${subnet}`,
    );
  }
  const q = quoteRouterOS;
  const listKey = legacy ? "name" : "list";
  const { envs, secrets, deployment } = containerSettings(config, {
    routerIp: router.ip,
    name,
    env: options.env,
  });

  const policy = config.router.allowWrite ? "read,write,api,rest-api" : "read,api,rest-api";
  const l: string[] = [];
  const section = (title: string) => l.push("", comment(`--- ${title} ---`));

  l.push(
    comment(`MikroClaw ${VERSION}: router-side setup for the MikroClaw container.`),
    comment(
      "Generated by `mikroclaw config --routeros-script` from your settings: to change a setting,",
    ),
    comment("change it there and generate the script again. Read it before running it; then:"),
    comment(`  1. fill in every "${SET_ME}" below (secrets are not written by the generator),`),
    comment(
      imageFile === undefined
        ? `  2. upload this file and your router's image to ${disk}/: ${
          ROUTER_IMAGES.map((i) => `${i.file} (${i.architectureName})`).join(", ")
        },`
        : `  2. upload this file and the image ${disk}/${imageFile} (see examples/routeros/README.md),`,
    ),
    comment(
      `  3. /import file-name=${disk}/${SCRIPT_FILE}   then delete the file: it holds your secrets.`,
    ),
    comment('Inside a value write \\" for ", \\\\ for \\, \\$ for $ and \\? for ?.'),
    comment(
      "Everything runs inside one { } block so the local variables below live until the end.",
    ),
    "{",
  );
  section("secrets: fill these in (they go into /container/envs)");
  if (secrets.length === 0) l.push(comment("(no secret settings are configured)"));
  for (const s of secrets) {
    l.push(`:local ${s.variable} ${q(SET_ME)}`, comment(`  ^ ${s.key}`));
    l.push(
      `:if ($${s.variable} = ${q(SET_ME)}) do={ :error ${
        q(`Cannot set up MikroClaw: fill in ${s.key} at the top of this script`)
      } }`,
    );
  }
  l.push(
    comment("The agent's RouterOS password: random, generated here, never leaves the router."),
    `:local routerPass [:rndstr length=32 from="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"]`,
  );

  section("1. the container package and device-mode");
  l.push(
    `:if ([:len [/system/package/find where name="container" and disabled=no]] = 0) do={ :error "Cannot set up MikroClaw: install the container package (System > Packages > Check for updates, or upload container-*.npk) and reboot" }`,
    comment("Containers must also be allowed by device-mode, once, with physical confirmation:"),
    comment("  /system/device-mode/update container=yes   (newer: mode=advanced container=yes)"),
    comment(
      "  then press the reset button or power-cycle the router within the activation timeout.",
    ),
    comment(
      `The image must match the CPU: ${
        ROUTER_IMAGES.map((i) => `${i.architectureName} = ${i.file} (${i.platform})`).join(", ")
      }.`,
    ),
    `:local arch [/system/resource/get architecture-name]`,
    `:put ("MikroClaw: this router is " . $arch)`,
  );
  if (imageFile === undefined) {
    l.push(`:local image ""`);
    for (const image of ROUTER_IMAGES) {
      l.push(`:if ($arch = ${q(image.architectureName)}) do={ :set image ${q(image.file)} }`);
    }
    l.push(
      `:if ($image = "") do={ :error ("Cannot set up MikroClaw: no image for architecture " . $arch . " (images exist for ${
        ROUTER_IMAGES.map((i) => i.architectureName).join(", ")
      })") }`,
    );
  } else {
    l.push(`:local image ${q(imageFile)}`);
  }
  l.push(
    `:if ([:len [/file/find where name=(${
      q(`${disk}/`)
    } . $image)]] = 0) do={ :error ("Cannot set up MikroClaw: upload " . $image . ${
      q(` to ${disk}/ first`)
    }) }`,
  );

  section("2. network: veth + bridge + address, NAT, bridge in the LAN list");
  l.push(
    `:if ([:len [/interface/veth/find where name=${q(veth)}]] = 0) do={ /interface/veth/add name=${
      q(veth)
    } address=${q(`${container.ip}/${container.prefix}`)} gateway=${q(router.ip)} comment=${
      q(name)
    } }`,
    `:if ([:len [/interface/bridge/find where name=${
      q(bridge)
    }]] = 0) do={ /interface/bridge/add name=${q(bridge)} comment=${q(name)} }`,
    `:if ([:len [/ip/address/find where interface=${q(bridge)} and address=${
      q(`${router.ip}/${container.prefix}`)
    }]] = 0) do={ /ip/address/add address=${q(`${router.ip}/${container.prefix}`)} interface=${
      q(bridge)
    } comment=${q(name)} }`,
    `:if ([:len [/interface/bridge/port/find where bridge=${q(bridge)} and interface=${
      q(veth)
    }]] = 0) do={ /interface/bridge/port/add bridge=${q(bridge)} interface=${q(veth)} }`,
    comment("Egress for the container (LLM APIs, Telegram): masquerade its subnet."),
    `:if ([:len [/ip/firewall/nat/find where chain=srcnat and src-address=${
      q(subnet)
    } and action=masquerade]] = 0) do={ /ip/firewall/nat/add chain=srcnat action=masquerade src-address=${
      q(subnet)
    } comment=${q(`${name}: container egress`)} }`,
    comment(
      "The default firewall drops input not from LAN: the container must reach the REST API.",
    ),
    `:if ([:len [/interface/list/find where name=${
      q(lanList)
    }]] > 0) do={ :if ([:len [/interface/list/member/find where list=${q(lanList)} and interface=${
      q(bridge)
    }]] = 0) do={ /interface/list/member/add list=${q(lanList)} interface=${
      q(bridge)
    } } } else={ :put ${
      q(`MikroClaw: no interface list ${lanList}: let ${subnet} reach the router's www service in your input firewall chain`)
    } }`,
    comment(
      `The gateway is then reachable from the LAN at http://${container.ip}:${config.gateway.port} (pairing on).`,
    ),
  );

  section("3. a least-privilege RouterOS user for the agent, only from the container subnet");
  l.push(
    comment(
      config.router.allowWrite
        ? "ROUTEROS_ALLOW_WRITE is on: the group may write (the agent's policy still limits it)."
        : "Read-only: ROUTEROS_ALLOW_WRITE is off, so the group has no write policy.",
    ),
    `:if ([:len [/user/group/find where name=${q(name)}]] = 0) do={ /user/group/add name=${
      q(name)
    } policy=${q(policy)} comment=${
      q("MikroClaw agent")
    } } else={ /user/group/set [find where name=${q(name)}] policy=${q(policy)} }`,
    `:if ([:len [/user/find where name=${q(name)}]] = 0) do={ /user/add name=${q(name)} group=${
      q(name)
    } address=${q(subnet)} password=$routerPass comment=${
      q("MikroClaw agent")
    } } else={ /user/set [find where name=${q(name)}] group=${q(name)} address=${
      q(subnet)
    } password=$routerPass }`,
    comment(`The REST API over the www service, from the container at http://${router.ip}/rest:`),
    `:if ([/ip/service/get [find where name="www"] disabled]) do={ /ip/service/set [find where name="www"] disabled=no address=${
      q(subnet)
    } } else={ :put ${
      q(`MikroClaw: www is already on; make sure its address list (available-from) includes ${subnet}`)
    } }`,
  );

  section("4. container settings: RAM cap, settings, data mount");
  l.push(
    comment(
      "ram-high is a global soft cap shared with routing; the Node image idles near 70 MB RSS and",
    ),
    comment("stays under 110 MB after 2000 requests (its V8 heap is capped at 96 MB)."),
    `/container/config/set ram-high=${q(ramHigh)} tmpdir=${q(`${disk}/${name}/tmp`)}`,
    comment("Secrets in envs are readable by every RouterOS user with read access to /container."),
    `/container/envs/remove [find where ${listKey}=${q(name)}]`,
  );
  const addEnv = (key: string, value: string) =>
    l.push(`/container/envs/add ${listKey}=${q(name)} key=${q(key)} value=${value}`);
  for (const [key, value] of deployment) addEnv(key, q(value));
  addEnv("ROUTER_PASS", "$routerPass");
  for (const e of envs) {
    if (e.note) l.push(comment(`${e.key}: ${e.note}`));
    addEnv(e.key, e.secret ? e.value : q(e.value));
  }
  const mountName = `${name}-data`;
  l.push(
    comment(
      "Storage is memory (pairings last until a restart). To keep them on the mount, make it",
    ),
    comment(
      `writable by uid 10001 and add: /container/envs/add ${listKey}=${
        q(name)
      } key="MIKROCLAW_STORAGE" value="fs:/data/state"`,
    ),
    comment(
      "(if the container user cannot write it, the container stops at once, saying so in /log).",
    ),
    `/container/mounts/remove [find where ${listKey}=${q(mountName)}]`,
    `/container/mounts/add ${listKey}=${q(mountName)} src=${q(`${disk}/${name}/data`)} dst="/data"`,
  );

  section("5. the container: from the uploaded image, started on boot, logging to /log");
  const lists = legacy
    ? `envlist=${q(name)} mounts=${q(mountName)}`
    : `envlists=${q(name)} mountlists=${q(mountName)}`;
  l.push(
    `:if ([:len [/container/find where comment=${q(name)}]] = 0) do={ /container/add file=(${
      q(`${disk}/`)
    } . $image) interface=${q(veth)} root-dir=${q(`${disk}/${name}/root`)} ${lists} hostname=${
      q(name)
    } start-on-boot=yes logging=yes comment=${q(name)} }`,
    comment("Extraction takes a minute: wait until /container/print shows it stopped, then:"),
    comment(`  /container/start [find where comment=${q(name)}]`),
    comment('The pairing code is in the log:   /log/print where topics~"container"'),
    `:put ${
      q(`MikroClaw: set up; start it with /container/start [find where comment=${
        q(name)
      }] once extracted`)
    }`,
    "}",
    "",
  );
  return l.join("\n");
}
