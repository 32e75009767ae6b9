import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from './shared/errors.js';

interface Manifest {
  format?: string;
  operations: Array<{ id?: string; name?: string; body: string }>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * PERSISTED_QUERIES=only: the API runs only operations listed in a manifest (Apollo's persisted
 * query manifest format: { operations: [{ id, name, body }] }, id = SHA-256 of body). A client sends
 * either the id (extensions.persistedQuery.sha256Hash) or the exact body.
 */
export function trustedDocuments(manifestPath: string) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const byId = new Map<string, string>();
  for (const op of manifest.operations ?? []) byId.set(op.id ?? sha256(op.body), op.body);
  return async function onlyTrusted(request: FastifyRequest, reply: FastifyReply) {
    if (request.method !== 'POST' && request.method !== 'GET') return;
    const body = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    let extensions = body.extensions as { persistedQuery?: { sha256Hash?: string } } | string | undefined;
    if (typeof extensions === 'string') {
      try {
        extensions = JSON.parse(extensions) as { persistedQuery?: { sha256Hash?: string } };
      } catch {
        extensions = undefined;
      }
    }
    const hash = typeof extensions === 'object' ? extensions?.persistedQuery?.sha256Hash : undefined;
    const known = hash ? byId.get(hash) : typeof body.query === 'string' ? byId.get(sha256(body.query)) : undefined;
    if (known === undefined) {
      return reply.code(400).send({ errors: [{ message: 'Only trusted operations are accepted by this server', extensions: { code: ErrorCode.FORBIDDEN } }] });
    }
    body.query = known;
    delete body.extensions;
  };
}
