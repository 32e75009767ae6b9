import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode, OperationTypeNode } from 'graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentLimits, parseWithinLimits, tooComplex } from './document-limits.js';
import { AppError } from './errors.js';
import { checkInputs } from './input-gate.js';
import { operationCost } from './cost.js';

/** Validation stops after this many errors (HTTP and WebSocket alike). */
export const VALIDATION_MAX_ERRORS = 10;

export interface OperationLimits extends DocumentLimits {
  cost: number;
}

/** The limits configured for this server (LIMIT_*), the same for HTTP and WebSocket operations. */
export function operationLimits(config: {
  LIMIT_DEPTH: number;
  LIMIT_COST: number;
  LIMIT_ALIASES: number;
  LIMIT_DIRECTIVES: number;
  LIMIT_QUERY_BYTES: number;
  LIMIT_TOKENS: number;
  LIMIT_FIELDS: number;
  LIMIT_SAME_NAME: number;
}): OperationLimits {
  return {
    depth: config.LIMIT_DEPTH,
    cost: config.LIMIT_COST,
    aliases: config.LIMIT_ALIASES,
    directives: config.LIMIT_DIRECTIVES,
    queryBytes: config.LIMIT_QUERY_BYTES,
    tokens: config.LIMIT_TOKENS,
    fields: config.LIMIT_FIELDS,
    sameName: config.LIMIT_SAME_NAME,
  };
}

/** Root fields an attacker would repeat through aliases to guess secrets: one per operation. */
const SENSITIVE = new Set([
  'login',
  'register',
  'resetPassword',
  'verifyEmail',
  'refreshToken',
  'requestPasswordReset',
  'resendVerificationEmail',
  'changePassword',
  'deleteAccount',
]);
/**
 * Checks one resolved operation, after parseWithinLimits has bounded its document: its arguments
 * (checkInputs: BAD_USER_INPUT), one sign-in mutation at most, then its cost (QUERY_TOO_COMPLEX).
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: OperationLimits,
): void {
  const coerced = checkInputs(schema, document, operation, variables);
  if (operation.operation === OperationTypeNode.MUTATION) {
    const sensitive = operation.selectionSet.selections.filter(
      (s) => s.kind === Kind.FIELD && SENSITIVE.has(s.name.value),
    );
    if (sensitive.length > 1)
      throw tooComplex('At most one sign-in or account-recovery mutation per operation', 'sensitiveMutations', 1);
  }
  const cost = operationCost(schema, document, operation, coerced);
  if (cost > limits.cost) throw tooComplex(`The query costs ${cost}; at most ${limits.cost}`, 'cost', limits.cost);
}

/** Query texts that passed parseWithinLimits lately: a repeated operation is not parsed twice here. */
const ACCEPTED_MAX = 1000;

/**
 * A fastify preHandler: the query text is parsed within the document limits before Apollo sees it,
 * and refused with HTTP 400 QUERY_TOO_COMPLEX past them. Syntax errors go on to Apollo, which
 * reports them as usual.
 */
export function documentLimits(limits: DocumentLimits) {
  const accepted = new Set<string>();
  return async function limitDocument(request: FastifyRequest, reply: FastifyReply) {
    const source = request.method === 'POST' ? request.body : request.query;
    const query = source && typeof source === 'object' ? (source as { query?: unknown }).query : undefined;
    if (typeof query !== 'string' || accepted.has(query)) return;
    try {
      parseWithinLimits(query, limits);
    } catch (error) {
      if (!(error instanceof AppError)) return;
      const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
      return reply.code(400).send({ errors: [{ message: error.message, extensions }] });
    }
    if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.values().next().value!);
    accepted.add(query);
  };
}

/** The Apollo plugin: every other limit once the operation is resolved; nothing runs past a violation. */
export function limitsPlugin(limits: OperationLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request: req, schema }) {
          if (operation) checkOperation(schema, document, operation, req.variables ?? {}, limits);
        },
      };
    },
  };
}
