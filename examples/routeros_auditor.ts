/**
 * A read-only RouterOS auditor: reads the router over its REST API (only `GET`s; give it a
 * user in a `policy=read,api,rest-api` group) and reports common risks: a missing input drop
 * rule, management services open to everyone, full-rights users, links that are down.
 *
 *   ROUTER_URL=https://192.168.88.1/rest ROUTER_USER=audit ROUTER_PASS=... \
 *     ROUTER_TLS_FINGERPRINT=<sha256> node examples/routeros_auditor.ts
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { createRouterOS, errorMessage, loadConfig, type RouterOS } from "../mod.ts";

/** One finding. */
export interface Finding {
  severity: "high" | "medium" | "info";
  /** Where: a menu path. */
  where: string;
  message: string;
}

/** What {@linkcode auditRouter} returns. */
export interface AuditReport {
  router: { board: string; version: string; architecture: string };
  findings: Finding[];
}

type Row = Record<string, string>;

async function list(router: RouterOS, path: string): Promise<Row[]> {
  try {
    return await router.get<Row[]>(path);
  } catch {
    return []; // a menu the user may not read (or an older RouterOS): skip it
  }
}

/** Audits the router read-only; never writes. */
export async function auditRouter(router: RouterOS): Promise<AuditReport> {
  const resource = await router.get<Row>("/system/resource");
  const [filters, services, users, groups, interfaces] = await Promise.all([
    list(router, "/ip/firewall/filter"),
    list(router, "/ip/service"),
    list(router, "/user"),
    list(router, "/user/group"),
    list(router, "/interface"),
  ]);
  const findings: Finding[] = [];
  const active = (r: Row) => r.disabled !== "true";
  const inputDrop = filters.some((r) =>
    active(r) && r.chain === "input" && r.action === "drop" &&
    (r["in-interface-list"] === "!LAN" ||
      (!r["in-interface"] && !r["in-interface-list"] && !r["src-address"] &&
        !r["connection-state"]))
  );
  if (!inputDrop) {
    findings.push({
      severity: "high",
      where: "/ip/firewall/filter",
      message: "no input rule drops traffic from outside the LAN: the router itself is exposed",
    });
  }
  for (const s of services) {
    if (!active(s)) continue;
    if (["telnet", "ftp"].includes(s.name ?? "")) {
      findings.push({
        severity: "high",
        where: "/ip/service",
        message: `${s.name} is enabled (plain-text passwords)`,
      });
    } else if (!s.address) {
      findings.push({
        severity: "medium",
        where: "/ip/service",
        message: `${s.name} is reachable from any address (set address=)`,
      });
    }
  }
  const fullGroups = new Set(
    groups.filter((g) => /(^|,)policy(,|$)/.test(g.policy ?? "")).map((g) => g.name),
  );
  for (const u of users) {
    if (active(u) && fullGroups.has(u.group ?? "") && u.name !== "admin" && !u.address) {
      findings.push({
        severity: "medium",
        where: "/user",
        message: `user ${u.name} has full rights from any address`,
      });
    }
  }
  for (const i of interfaces) {
    if (active(i) && i.type === "ether" && i.running === "false") {
      findings.push({
        severity: "info",
        where: "/interface",
        message: `${i.name} is enabled but has no link`,
      });
    }
  }
  return {
    router: {
      board: resource["board-name"] ?? "?",
      version: resource.version ?? "?",
      architecture: resource["architecture-name"] ?? "?",
    },
    findings,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = await loadConfig();
  if (!config.router.user || !config.router.password || !config.router.url) {
    console.error("Cannot audit: set ROUTER_URL (or ROUTER_HOST), ROUTER_USER and ROUTER_PASS");
    process.exit(1);
  }
  let report: AuditReport;
  try {
    report = await auditRouter(createRouterOS({
      url: config.router.url,
      user: config.router.user,
      password: config.router.password.reveal(),
      tlsFingerprint: config.router.tlsFingerprint,
    }));
  } catch (error) {
    // one line, never a stack trace: the library's errors already say what failed and where
    console.error(`Cannot audit the router: ${errorMessage(error)}`);
    process.exit(1);
  }
  console.log(
    `${report.router.board}, RouterOS ${report.router.version} (${report.router.architecture})`,
  );
  for (const f of report.findings) console.log(`[${f.severity}] ${f.where}: ${f.message}`);
  if (report.findings.length === 0) console.log("no findings");
}
