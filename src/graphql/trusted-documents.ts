import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../shared/errors.js';

interface Manifest {
  format?: string;
  operations?: Array<{ id?: string; name?: string; body: string }>;
}

/** The trusted body for a request's query text or persisted-query hash; undefined when it is not trusted. */
export type TrustedLookup = (query: unknown, extensions: unknown) => string | undefined;

export const UNTRUSTED_MESSAGE = 'Only trusted operations are accepted by this server';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * PERSISTED_QUERIES=only: the API runs only operations listed in a manifest (Apollo's persisted
 * query manifest format: { operations: [{ id, name, body }] }, id = SHA-256 of body). A client sends
 * either the id (extensions.persistedQuery.sha256Hash) or the exact body, over HTTP or WebSocket.
 */
export function loadTrustedDocuments(manifestPath: string): TrustedLookup {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const byId = new Map<string, string>();
  for (const op of manifest.operations ?? []) byId.set(op.id ?? sha256(op.body), op.body);
  return (query, rawExtensions) => {
    let extensions = rawExtensions as { persistedQuery?: { sha256Hash?: string } } | string | undefined;
    if (typeof extensions === 'string') {
      try {
        extensions = JSON.parse(extensions) as { persistedQuery?: { sha256Hash?: string } };
      } catch {
        extensions = undefined;
      }
    }
    const hash = typeof extensions === 'object' ? extensions.persistedQuery?.sha256Hash : undefined;
    return hash ? byId.get(hash) : typeof query === 'string' ? byId.get(sha256(query)) : undefined;
  };
}

/** The HTTP side: a fastify preHandler that refuses untrusted operations before Apollo sees them. */
export function trustedDocuments(lookup: TrustedLookup) {
  return async function onlyTrusted(request: FastifyRequest, reply: FastifyReply) {
    if (request.method !== 'POST' && request.method !== 'GET') return;
    const body = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    const known = lookup(body.query, body.extensions);
    if (known === undefined) {
      return reply
        .code(400)
        .send({ errors: [{ message: UNTRUSTED_MESSAGE, extensions: { code: ErrorCode.FORBIDDEN } }] });
    }
    body.query = known;
    delete body.extensions;
  };
}
