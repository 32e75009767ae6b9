import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseSecretsKey } from './secrets.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Every environment variable Orbit reads, with its default. The README lists the same. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(4000).pipe(z.number().max(65535)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  APP_URL: z.url().default('http://localhost:4000'),

  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DB_POOL_MAX: int(10, 1),
  DB_STATEMENT_TIMEOUT_MS: int(5000, 100),
  /**
   * This side's bound on each statement (its wait for a pooled connection included) and on a
   * transaction's start and commit: past it, SERVICE_UNAVAILABLE. Defaults to the statement timeout + 1 s.
   */
  DB_DEADLINE_MS: int(0, 0),

  JWT_SECRET: z.string().min(32, 'must be at least 32 bytes').optional(),
  /** 32 bytes (64 hex characters or base64) that encrypt stored secrets such as mail passwords. */
  SECRETS_KEY: z.string().optional(),
  JWT_ISSUER: z.string().default('orbit'),
  JWT_AUDIENCE: z.string().default('orbit-api'),
  ACCESS_TOKEN_TTL_S: int(900, 1),
  REFRESH_TOKEN_IDLE_DAYS: int(7, 1),
  REFRESH_TOKEN_ABSOLUTE_DAYS: int(30, 1),
  REFRESH_REUSE_GRACE_S: int(10, 0),
  /** Verified access tokens kept in memory until their session or user changes; 0 turns the cache off. */
  VIEWER_CACHE_MAX: int(10000, 0),
  VIEWER_CACHE_TTL_S: int(30, 1),

  ARGON2_MEMORY_KIB: int(19456, 1024),
  ARGON2_TIME_COST: int(2, 1),
  ARGON2_PARALLELISM: int(1, 1),
  /** argon2 computations at once; default: one fewer than the cores the process may use, at least 1. */
  ARGON2_CONCURRENCY: int(0, 0),

  REQUIRE_EMAIL_VERIFICATION: bool.default(false),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Orbit <no-reply@orbit.local>'),
  MAIL_OUTBOX_DIR: z.string().optional(),

  LOGIN_MAX_FAILURES: int(10, 1),
  LOGIN_FAILURE_WINDOW_S: int(900, 1),
  IP_LOGIN_LIMIT: int(200, 1),
  IP_REGISTER_LIMIT: int(200, 1),
  IP_WINDOW_S: int(600, 1),
  EMAIL_SEND_LIMIT: int(5, 1),
  EMAIL_SEND_WINDOW_S: int(3600, 1),
  /** Emails one user's actions (invitations, shares) may send per window, in all and to one address. */
  USER_EMAIL_LIMIT: int(30, 0),
  USER_EMAIL_PER_RECIPIENT_LIMIT: int(3, 0),
  USER_EMAIL_WINDOW_S: int(3600, 1),
  /** Public request forms: submissions per client address (10 minutes, a day), per submitter address (an hour), per board (a day). */
  PUBLIC_FORM_IP_LIMIT: int(30, 1),
  PUBLIC_FORM_IP_DAILY_LIMIT: int(240, 1),
  PUBLIC_FORM_EMAIL_LIMIT: int(5, 1),
  PUBLIC_FORM_BOARD_DAILY_LIMIT: int(500, 1),
  /** Mail one ticket inbox sends per hour (replies to requesters, auto-replies). */
  TICKET_INBOX_SEND_LIMIT: int(200, 1),
  /** Look-ups and replies through requesters' ticket links, per client address per 10 minutes. */
  PUBLIC_TICKET_IP_LIMIT: int(120, 1),
  /** A CAPTCHA provider's siteverify endpoint (hCaptcha, Turnstile, reCAPTCHA speak the same protocol) and secret: public submissions then need captchaToken. */
  CAPTCHA_VERIFY_URL: z.url().optional(),
  CAPTCHA_SECRET: z.string().optional(),

  LIMIT_DEPTH: int(10, 1),
  LIMIT_COST: int(5000, 1),
  LIMIT_ALIASES: int(15, 0),
  LIMIT_DIRECTIVES: int(50, 0),
  LIMIT_QUERY_BYTES: int(100 * 1024, 1024),
  /** Checked before validation, so the work spent on any document is bounded (QUERY_TOO_COMPLEX). */
  LIMIT_TOKENS: int(3000, 100),
  LIMIT_FIELDS: int(500, 10),
  LIMIT_SAME_NAME: int(20, 1),
  /** Comma-separated origins allowed to call the API from a browser (CORS) and to open WebSockets. */
  CORS_ORIGINS: z.string().optional(),
  /** `only`: accept only operations listed in PERSISTED_QUERIES_MANIFEST. */
  PERSISTED_QUERIES: z.enum(['off', 'only']).default('off'),
  PERSISTED_QUERIES_MANIFEST: z.string().optional(),
  METRICS: bool.default(false),
  METRICS_PORT: int(0),
  SLOW_OPERATION_MS: int(1000, 1),
  /** How long a client has to send a request (headers and body), and an upload's body (PUT /uploads/…). */
  REQUEST_TIMEOUT_MS: int(30_000, 100),
  UPLOAD_TIMEOUT_MS: int(600_000, 100),
  /** How long a stop waits for requests in flight before it closes their connections. */
  SHUTDOWN_TIMEOUT_MS: int(30_000, 100),

  // GraphQL's Int: a limit must fit in 32 bits to be shown.
  TIER_LIMIT_FREE: int(100_000).pipe(z.number().max(2 ** 31 - 1)),
  TIER_LIMIT_STARTER: int(1_000_000).pipe(z.number().max(2 ** 31 - 1)),
  TIER_LIMIT_BUILDER: int(5_000_000).pipe(z.number().max(2 ** 31 - 1)),
  TIER_LIMIT_ADVANCED: int(20_000_000).pipe(z.number().max(2 ** 31 - 1)),
  /** Seconds of voice transcription a calendar month (UTC), by tier. */
  TIER_AUDIO_SECONDS_FREE: int(1_800).pipe(z.number().max(2 ** 31 - 1)),
  TIER_AUDIO_SECONDS_STARTER: int(18_000).pipe(z.number().max(2 ** 31 - 1)),
  TIER_AUDIO_SECONDS_BUILDER: int(72_000).pipe(z.number().max(2 ** 31 - 1)),
  TIER_AUDIO_SECONDS_ADVANCED: int(360_000).pipe(z.number().max(2 ** 31 - 1)),
  /** Any OpenAI-compatible speech-to-text endpoint (POST {STT_BASE_URL}/audio/transcriptions); without it voice captures are off. */
  STT_BASE_URL: z.url().optional(),
  STT_API_KEY: z.string().optional(),
  STT_MODEL: z.string().min(1).default('whisper-1'),
  STT_TIMEOUT_MS: int(120_000, 100),
  /** Attempts of one transcription call (timeouts and 5xx are tried again with backoff). */
  STT_ATTEMPTS: int(3, 1),
  /** Voice captures: the largest audio upload (bytes) and the longest audio (seconds, by its container). */
  CAPTURE_AUDIO_MAX_BYTES: int(26_214_400, 1),
  CAPTURE_AUDIO_MAX_SECONDS: int(600, 1),

  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: int(60_000, 100),
  LLM_MAX_TOKENS: int(1024, 1),
  LLM_HISTORY_TOKENS: int(4000, 100),
  /** Any OpenAI-compatible /v1/embeddings endpoint; without it semantic search is off. */
  EMBEDDINGS_BASE_URL: z.url().optional(),
  EMBEDDINGS_API_KEY: z.string().optional(),
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDINGS_DIMENSIONS: int(1536, 1).pipe(z.number().max(2000)),
  EMBEDDINGS_TIMEOUT_MS: int(10_000, 100),
  /** Background jobs: how often an idle worker looks for work without a wake-up (at least 500 ms), and how often a job is tried. */
  JOBS_POLL_MS: int(2000, 500),
  /** The event outbox: how often each replica reads it without a wake-up, and how long events are kept for replicas that were cut off. */
  BUS_POLL_MS: int(1000, 20),
  BUS_RETENTION_S: int(3600, 60),
  /** How often snoozed tickets whose time came are put back in the standby queue. */
  SNOOZE_WAKE_MS: int(15_000, 100),
  /** A second transport between replicas: NATS JetStream (nats://host:port); PostgreSQL LISTEN/NOTIFY when unset. */
  EVENT_BUS_URL: z
    .string()
    .regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// or tls:// URL')
    .optional(),
  /** The JetStream stream the replicas share (one per deployment). */
  EVENT_BUS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _')
    .default('ORBIT_EVENTS'),
  /** A WebSocket whose client stops reading: bytes queued on the socket, and events queued per subscription, before it is closed with 1013. */
  WS_SEND_BUFFER_BYTES: int(1024 * 1024, 16 * 1024),
  WS_QUEUE_MAX: int(10_000, 10),
  /** How long the event loop may be blocked before a watchdog thread kills the process (0: never). A hung embedded database blocks it. */
  STALL_EXIT_S: int(30, 0),
  /** How long a mutation's response is kept for retries with the same Idempotency-Key. */
  IDEMPOTENCY_TTL_S: int(86_400, 60),
  JOBS_MAX_ATTEMPTS: int(5, 1),
  /** A running job's heartbeat: one not heard from for this long (its worker killed or paused) is failed and retried. */
  JOBS_LEASE_S: int(60, 10),
  /** Mail: the first sync's reach, how often accounts sync, the largest attachment stored, the connection budget. */
  MAIL_SYNC_DAYS: int(30, 1),
  MAIL_SYNC_MAX: int(5000, 1),
  MAIL_SYNC_INTERVAL_S: int(300, 1),
  MAIL_ATTACHMENT_MAX_BYTES: int(25 * 1024 * 1024, 0),
  MAIL_CONNECT_TIMEOUT_MS: int(10_000, 100),
  /** Mail servers are untrusted input: whole-operation deadlines, sizes, quotas, attempts, hosts. */
  MAIL_SYNC_TIMEOUT_MS: int(120_000, 1000),
  MAIL_SEND_TIMEOUT_MS: int(60_000, 1000),
  MAIL_MESSAGE_MAX_BYTES: int(25 * 1024 * 1024, 1024),
  MAIL_TEXT_MAX_CHARS: int(200_000, 1000).pipe(z.number().max(200_000)),
  MAIL_STORAGE_QUOTA_BYTES: int(1024 * 1024 * 1024, 0),
  MAIL_CONNECT_ATTEMPTS_PER_HOUR: int(10, 1),
  MAIL_ACCOUNTS_MAX: int(10, 1),
  MAIL_DRAFTS_MAX: int(500, 1),
  /** Loopback, private, link-local and unique-local mail hosts (and plain text to them): default true outside production. */
  MAIL_ALLOW_PRIVATE_HOSTS: bool.optional(),
  /** Links between items per user. */
  RELATIONS_MAX: int(10_000, 1),
  /** Requests to POST /mcp per user and minute (every JSON-RPC message of a batch counts). */
  MCP_REQUESTS_PER_MINUTE: int(120, 1),
  /** How long an MCP credential that read foreign content keeps its WRITE calls waiting for approval. */
  MCP_TAINT_WINDOW_S: int(1800, 1),
  /** Decided assistant actions and settled or released token reservations are deleted after this many days. */
  ASSISTANT_RETENTION_DAYS: int(30, 1),
});

export type Env = z.infer<typeof EnvSchema>;
export type Config = Env & {
  corsOrigins: string[];
  mailAllowPrivateHosts: boolean;
  jwtSecret: Uint8Array;
  /** SECRETS_KEY, or in development a key kept in DATA_DIR. */
  secretsKey: Buffer;
  production: boolean;
  outboxDir: string;
  /** PGlite data dir, or undefined for memory:// */
  pgliteDir: string | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function devSecret(
  dataDir: string | undefined,
  name = 'jwt-secret',
  make = () => randomBytes(48).toString('base64url'),
): string {
  if (!dataDir) return make();
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = make();
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Parses the environment; throws one ConfigError that lists every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (raw.NODE_ENV === 'production' && !raw.JWT_SECRET)
    problems.push('JWT_SECRET: required in production (at least 32 bytes)');
  if (raw.SECRETS_KEY && !parseSecretsKey(raw.SECRETS_KEY))
    problems.push('SECRETS_KEY: must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
  if (raw.NODE_ENV === 'production' && !raw.SECRETS_KEY)
    problems.push('SECRETS_KEY: required in production (32 bytes, e.g. `openssl rand -hex 32`)');
  else if (raw.DATABASE_URL && !raw.SECRETS_KEY)
    // A key kept in DATA_DIR would change with every machine and restart while the sealed data lives on.
    problems.push('SECRETS_KEY: required when DATABASE_URL is set (32 bytes, e.g. `openssl rand -hex 32`)');
  const corsOrigins = (raw.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    try {
      const u = new URL(origin);
      if (u.origin !== origin.replace(/\/$/, '')) throw new Error();
    } catch {
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
    }
  }
  if (raw.PERSISTED_QUERIES === 'only' && !raw.PERSISTED_QUERIES_MANIFEST)
    problems.push('PERSISTED_QUERIES_MANIFEST: required when PERSISTED_QUERIES=only');
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  const memory = env.DATA_DIR.startsWith('memory://');
  const pgliteDir = memory ? undefined : env.DATA_DIR;
  const secret = env.JWT_SECRET ?? devSecret(pgliteDir);
  return {
    ...env,
    corsOrigins: corsOrigins.map((o) => new URL(o).origin),
    production,
    pgliteDir,
    jwtSecret: new TextEncoder().encode(secret),
    secretsKey: parseSecretsKey(
      env.SECRETS_KEY ?? devSecret(pgliteDir, 'secrets-key', () => randomBytes(32).toString('hex')),
    )!,
    outboxDir: env.MAIL_OUTBOX_DIR ?? join(memory ? join(process.cwd(), '.data') : env.DATA_DIR, 'outbox'),
    mailAllowPrivateHosts: env.MAIL_ALLOW_PRIVATE_HOSTS ?? !production,
  };
}
