/**
 * The device identity: a stable id plus an Ed25519 key pair (Web Crypto), kept in the state
 * store under the key `identity`. With `memory` storage it lives only as long as the process.
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";
import type { StateStore } from "../storage/types.ts";

/** The store key of the identity record. */
export const IDENTITY_KEY = "identity";
/** Prefix of gateway token records, revoked by {@linkcode rotateIdentity}. */
export const TOKEN_PREFIX = "tokens:";

/** A loaded device identity. */
export interface Identity {
  /** Stable id: `AGENT_ID` when given, else the stored one (`mc-` + 20 hex digits). */
  readonly id: string;
  /** Ed25519 public key, 32 raw bytes as standard base64. */
  readonly publicKey: string;
  /** When this key pair was made (ISO 8601). */
  readonly createdAt: string;
  /** False when the store is `memory`: a new identity is made at every start. */
  readonly persistent: boolean;
  /** Signs `data` with the private key; resolves the 64-byte signature as base64. */
  sign(data: string | Uint8Array): Promise<string>;
}

/** Options of {@linkcode loadIdentity} and {@linkcode rotateIdentity}. */
export interface IdentityOptions {
  /** `AGENT_ID`: overrides the id (the stored record keeps its own). */
  agentId?: string | undefined;
}

/** Result of {@linkcode rotateIdentity}. */
export interface RotateResult {
  identity: Identity;
  /** How many gateway tokens were revoked. */
  revokedTokens: number;
}

interface IdentityRecord {
  version: 1;
  id: string;
  createdAt: string;
  publicKey: string;
  privateKey: JsonWebKey;
}

/**
 * Loads the identity from `store`, creating it on first use (atomically, so processes sharing
 * a Redis store agree on one).
 *
 * @throws {AgentError} code `E_STORAGE` when the stored record is damaged (fix: `identity --rotate`)
 * @example
 * ```ts
 * const identity = await loadIdentity(store);
 * const signature = await identity.sign("hello");
 * ```
 */
export async function loadIdentity(
  store: StateStore,
  options: IdentityOptions = {},
): Promise<Identity> {
  let record = await store.get<unknown>(IDENTITY_KEY);
  if (record === null) {
    const fresh = await newRecord(undefined);
    if (!(await store.setIfAbsent(IDENTITY_KEY, fresh))) {
      record = await store.get<unknown>(IDENTITY_KEY);
    } else record = fresh;
  }
  if (!isRecord(record)) {
    throw new AgentError(
      "Cannot load identity: the stored identity record is damaged (run `mikroclaw identity --rotate` to replace it)",
      { code: ErrorCode.Storage },
    );
  }
  return toIdentity(record, store, options);
}

/**
 * Replaces the key pair with a new one (the id stays, so memory keyed by it survives) and
 * revokes every gateway token (keys under `tokens:`).
 */
export async function rotateIdentity(
  store: StateStore,
  options: IdentityOptions = {},
): Promise<RotateResult> {
  const current = await store.get<unknown>(IDENTITY_KEY);
  const keepId = isRecord(current) ? current.id : undefined;
  const record = await newRecord(keepId);
  await store.set(IDENTITY_KEY, record);
  const tokens = await store.keys(TOKEN_PREFIX);
  for (const key of tokens) await store.remove(key);
  return { identity: await toIdentity(record, store, options), revokedTokens: tokens.length };
}

/** Verifies an Ed25519 `signature` (base64) of `data` made by `publicKey` (base64). */
export async function verifySignature(
  publicKey: string,
  data: string | Uint8Array,
  signature: string,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      fromBase64(publicKey) as BufferSource,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      "Ed25519",
      key,
      fromBase64(signature) as BufferSource,
      bytes(data) as BufferSource,
    );
  } catch {
    return false;
  }
}

// --- Internal helpers ---

async function newRecord(id: string | undefined): Promise<IdentityRecord> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const privateKey = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const random = crypto.getRandomValues(new Uint8Array(10));
  return {
    version: 1,
    id: id ?? `mc-${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`,
    createdAt: new Date().toISOString(),
    publicKey: toBase64(publicKey),
    privateKey: { kty: "OKP", crv: "Ed25519", d: privateKey.d!, x: privateKey.x! },
  };
}

function isRecord(value: unknown): value is IdentityRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<IdentityRecord>;
  return r.version === 1 && typeof r.id === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(r.id) &&
    typeof r.createdAt === "string" && typeof r.publicKey === "string" &&
    fromBase64(r.publicKey)?.length === 32 && typeof r.privateKey === "object" &&
    r.privateKey !== null && typeof r.privateKey.d === "string" &&
    typeof r.privateKey.x === "string";
}

async function toIdentity(
  record: IdentityRecord,
  store: StateStore,
  options: IdentityOptions,
): Promise<Identity> {
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: record.privateKey.d!, x: record.privateKey.x! },
      { name: "Ed25519" },
      false,
      ["sign"],
    );
  } catch (cause) {
    throw new AgentError(
      "Cannot load identity: the stored private key is invalid (run `mikroclaw identity --rotate` to replace it)",
      { code: ErrorCode.Storage, cause },
    );
  }
  return Object.freeze({
    id: options.agentId ?? record.id,
    publicKey: record.publicKey,
    createdAt: record.createdAt,
    persistent: store.kind !== "memory",
    async sign(data: string | Uint8Array): Promise<string> {
      const sig = await crypto.subtle.sign("Ed25519", privateKey, bytes(data) as BufferSource);
      return toBase64(new Uint8Array(sig));
    },
  });
}

function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function toBase64(data: Uint8Array): string {
  let bin = "";
  for (const b of data) bin += String.fromCharCode(b);
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
