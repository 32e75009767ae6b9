import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  getNullableType,
  isListType,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from './errors.js';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

export interface OperationLimits {
  depth: number;
  cost: number;
  aliases: number;
  directives: number;
  queryBytes: number;
}

/** The limits configured for this server (LIMIT_*), the same for HTTP and WebSocket operations. */
export function operationLimits(config: { LIMIT_DEPTH: number; LIMIT_COST: number; LIMIT_ALIASES: number; LIMIT_DIRECTIVES: number; LIMIT_QUERY_BYTES: number }): OperationLimits {
  return { depth: config.LIMIT_DEPTH, cost: config.LIMIT_COST, aliases: config.LIMIT_ALIASES, directives: config.LIMIT_DIRECTIVES, queryBytes: config.LIMIT_QUERY_BYTES };
}

/** Root fields an attacker would repeat through aliases to guess secrets: one per operation. */
const SENSITIVE = new Set(['login', 'register', 'resetPassword', 'verifyEmail', 'refreshToken', 'requestPasswordReset', 'resendVerificationEmail', 'changePassword', 'deleteAccount']);
/** An unpaginated list (members, labels, ...) is costed as this many items. */
const UNBOUNDED_LIST = 5;

// Its ESM build imports graphql/index.mjs, a second copy of graphql beside the CommonJS one the rest
// of the server uses (graphql refuses to mix them); the CommonJS build shares ours.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

const tooComplex = (message: string, limit: string, max: number) =>
  new AppError(ErrorCode.QUERY_TOO_COMPLEX, message, { limit, max, http: { status: 400 } });

/**
 * Cost: every field costs 1; a connection with `first` (or a list with `limit`) multiplies its
 * children by that size (20 when absent), any other list by 5.
 */
const listEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  // A connection's edges are already counted by its `first`.
  if (field.name === 'edges' || field.name === 'nodes') return 1 + childComplexity;
  const size = typeof args.first === 'number' ? args.first : typeof args.limit === 'number' ? args.limit : null;
  if (size !== null) return 1 + childComplexity * Math.max(size, 1);
  if ('first' in args || field.args.some((a) => a.name === 'first')) return 1 + childComplexity * DEFAULT_PAGE_SIZE;
  if (isListType(getNullableType(field.type))) return 1 + childComplexity * UNBOUNDED_LIST;
  return undefined;
};

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string> = new Set()): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      const fragment = fragments.get(name);
      max = Math.max(max, depthOf(fragment?.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/** Checks one resolved operation; throws QUERY_TOO_COMPLEX naming the limit. */
export function checkOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, limits: OperationLimits): void {
  let aliases = 0;
  let directives = 0;
  visit(document, {
    Field: (node) => void (node.alias && (aliases += 1)),
    Directive: () => void (directives += 1),
  });
  if (aliases > limits.aliases) throw tooComplex(`At most ${limits.aliases} aliases per operation (found ${aliases})`, 'aliases', limits.aliases);
  if (directives > limits.directives) throw tooComplex(`At most ${limits.directives} directives per operation (found ${directives})`, 'directives', limits.directives);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const depth = depthOf(operation.selectionSet, fragments);
  if (depth > limits.depth) throw tooComplex(`The query is ${depth} levels deep; at most ${limits.depth}`, 'depth', limits.depth);
  if (operation.operation === 'mutation') {
    const sensitive = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && SENSITIVE.has(s.name.value));
    if (sensitive.length > 1) throw tooComplex('At most one sign-in or account-recovery mutation per operation', 'sensitiveMutations', 1);
  }
  const cost = getComplexity({ schema, query: document, operationName: operation.name?.value, variables, estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  if (cost > limits.cost) throw tooComplex(`The query costs ${cost}; at most ${limits.cost}`, 'cost', limits.cost);
}

/** Query text over the limit is refused before Apollo parses it (a fastify preHandler). */
export function queryTextLimit(maxBytes: number) {
  return async function limitText(request: FastifyRequest, reply: FastifyReply) {
    const source = request.method === 'POST' ? request.body : request.query;
    const query = source && typeof source === 'object' ? (source as { query?: unknown }).query : undefined;
    if (typeof query === 'string' && Buffer.byteLength(query) > maxBytes) {
      const error = tooComplex(`The query text is over ${maxBytes} bytes`, 'queryBytes', maxBytes);
      const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
      return reply.code(400).send({ errors: [{ message: error.message, extensions }] });
    }
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
