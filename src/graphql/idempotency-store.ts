import { createHash, createHmac } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { FormattedExecutionResult } from 'graphql';
import { type Db, execRows } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { SecretBox } from '../shared/secrets.js';

/** How long a first request holds its key before a retry may take over (a replica that died mid-request). */
export const IDEMPOTENCY_LOCK_S = 300;

/** What a stored key says to a request that carries it again. */
export type Claim =
  | { kind: 'acquired' }
  | { kind: 'replay'; status: number; body: FormattedExecutionResult }
  | { kind: 'running' }
  | { kind: 'unkept' }
  | { kind: 'mismatch' };

/** One credential's idempotency key: its row id and the box its response is sealed in. */
export class IdempotencyKey {
  readonly id: string;
  private readonly box: SecretBox;

  constructor(
    serverKey: Buffer,
    readonly scope: string,
    key: string,
    readonly userId: string,
  ) {
    this.id = createHmac('sha256', serverKey).update(`idempotency-id\0${scope}\0${key}`).digest('base64url');
    this.box = new SecretBox(createHmac('sha256', serverKey).update(`idempotency-seal\0${scope}\0${key}`).digest());
  }

  seal(value: unknown): string {
    return this.box.seal(JSON.stringify(value));
  }

  open(sealed: string): FormattedExecutionResult {
    return JSON.parse(this.box.open(sealed)) as FormattedExecutionResult;
  }
}

/** A request's fingerprint: the same key with another document, operation or variables is refused. */
export function fingerprint(queryHash: string, operationName: string | null, variables: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([queryHash, operationName, canonical(variables ?? {})]))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * Takes the key for this request (new, expired, or RUNNING past its lock with the same request), or
 * says what the stored row answers instead.
 */
export async function claim(db: Db, key: IdempotencyKey, print: string, ttlS: number): Promise<Claim> {
  const taken = await execRows<{ id: string }>(
    db,
    sql`insert into ${idempotencyKeys} (id, user_id, fingerprint, locked_until, expires_at)
        values (${key.id}, ${key.userId}, ${print}, now() + make_interval(secs => ${IDEMPOTENCY_LOCK_S}),
                now() + make_interval(secs => ${ttlS}))
        on conflict (id) do update set fingerprint = excluded.fingerprint, state = 'RUNNING',
          locked_until = excluded.locked_until, expires_at = excluded.expires_at, http_status = null, response = null
        where idempotency_keys.expires_at < now()
           or (idempotency_keys.state = 'RUNNING' and idempotency_keys.locked_until < now()
               and idempotency_keys.fingerprint = excluded.fingerprint)
        returning id`,
  );
  if (taken.length > 0) return { kind: 'acquired' };
  const [row] = await execRows<{
    fingerprint: string;
    state: string;
    locked: boolean;
    http_status: number | null;
    response: string;
  }>(
    db,
    sql`select fingerprint, state, locked_until > now() as locked, http_status, response
        from ${idempotencyKeys} where id = ${key.id}`,
  );
  if (!row) return { kind: 'running' }; // released a moment ago: the client retries
  if (row.fingerprint !== print) return { kind: 'mismatch' };
  // COMMITTED: the first request's writes committed but its response was not kept (it died, or the
  // database went away before the response could be written): it must not act again.
  if (row.state === 'COMMITTED' && !row.locked) return { kind: 'unkept' };
  if (row.state !== 'DONE') return { kind: 'running' };
  return { kind: 'replay', status: row.http_status ?? 200, body: key.open(row.response) };
}

/** Keeps the response for retries. */
export async function complete(db: Db, key: IdempotencyKey, status: number, body: unknown): Promise<void> {
  await db.execute(
    sql`update ${idempotencyKeys} set state = 'DONE', http_status = ${status}, response = ${key.seal(body)}
        where id = ${key.id} and state in ('RUNNING', 'COMMITTED')`,
  );
}

/**
 * Run first in each transaction of the request that holds the key: marks it COMMITTED with the
 * request's writes (or not at all), and holds its row meanwhile, so a release or a takeover waits for
 * the outcome instead of guessing it.
 */
export function committedMarker(key: IdempotencyKey): SQL {
  return sql`update ${idempotencyKeys} set state = 'COMMITTED' where id = ${key.id} and state = 'RUNNING'`;
}

/**
 * After a response that did nothing visible (503, internal error): gives the key back when no
 * transaction of the request committed, so a retry may act; when one did (a COMMIT whose answer was
 * lost), ends its lock, so a retry hears at once that it was carried out.
 */
export async function release(db: Db, key: IdempotencyKey): Promise<void> {
  await db.execute(
    sql`with gone as (delete from ${idempotencyKeys} where id = ${key.id} and state = 'RUNNING')
        update ${idempotencyKeys} set locked_until = now() where id = ${key.id} and state = 'COMMITTED'`,
  );
}
