import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  OperationTypeNode,
  type ValidationRule,
  getOperationAST,
  specifiedRules,
  validate,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { AppError, ErrorCode } from '../shared/errors.js';
import { parseWithinLimits } from '../shared/document-limits.js';
import { literalFieldNames, literalFieldOf } from '../shared/input-gate.js';
import { type OperationLimits, VALIDATION_MAX_ERRORS, checkOperation } from '../shared/limits.js';
import { type TrustedLookup, UNTRUSTED_MESSAGE } from '../graphql/trusted-documents.js';

interface Parsed {
  query: string;
  document: DocumentNode | null;
  errors: readonly GraphQLError[];
}

export interface PreparedOperation {
  /** The cached copy of the query text, shared by every subscription of it. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

export interface OperationGateOptions {
  limits: OperationLimits;
  /** Production: no introspection, as over HTTP. */
  introspection: boolean;
  trusted: TrustedLookup | null;
}

/** Documents kept parsed. */
const MAX_DOCUMENTS = 500;

const refuse = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) => [
  new GraphQLError(message, { extensions: { ...extensions, code } }),
];

/**
 * What a subscribe message must pass before anything runs, the same rules as over HTTP: trusted
 * documents, query size, validation (without introspection in production), depth, cost, aliases and
 * directives. Only subscriptions run over the socket: queries and mutations go to POST /graphql,
 * where rate limits, logs and metrics see them. Parsed documents are cached by text, so a thousand
 * subscribers of one query share one AST.
 */
export class OperationGate {
  private readonly parsed = new Map<string, Parsed>();
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: OperationGateOptions,
  ) {
    this.rules = [
      ...specifiedRules,
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      literalFieldNames,
    ];
  }

  prepare(payload: SubscribePayload): PreparedOperation | GraphQLError[] {
    let text: unknown = payload.query;
    if (this.options.trusted) {
      text = this.options.trusted(payload.query, payload.extensions);
      if (text === undefined) return refuse(ErrorCode.FORBIDDEN, UNTRUSTED_MESSAGE);
    }
    if (typeof text !== 'string') return refuse(ErrorCode.BAD_USER_INPUT, 'The query must be a string');
    const { query, document, errors } = this.parse(text);
    if (!document) return [...errors];
    if (errors.length) {
      return errors.map((e) => {
        const field = literalFieldOf(e);
        return new GraphQLError(e.message, {
          extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { fields: { [field]: e.message } } : {}) },
        });
      });
    }
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return refuse(ErrorCode.BAD_USER_INPUT, 'Unknown operation');
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return refuse(
        ErrorCode.BAD_USER_INPUT,
        'Only subscriptions run over WebSocket; send queries and mutations to POST /graphql',
      );
    }
    try {
      checkOperation(this.schema, document, operation, payload.variables ?? {}, this.options.limits);
    } catch (error) {
      if (error instanceof AppError) return [error];
      // Variables that do not fit the operation (the cost depends on them).
      if (error instanceof GraphQLError) return refuse(ErrorCode.BAD_USER_INPUT, error.message);
      throw error;
    }
    return { query, document, operation };
  }

  private parse(text: string): Parsed {
    const cached = this.parsed.get(text);
    if (cached) return cached;
    let entry: Parsed;
    try {
      const document = parseWithinLimits(text, this.options.limits);
      // A flat copy: the text parsed out of a message may be a slice that keeps the whole message alive.
      entry = {
        query: (' ' + text).slice(1),
        document,
        errors: validate(this.schema, document, this.rules, { maxErrors: VALIDATION_MAX_ERRORS }),
      };
    } catch (error) {
      if (error instanceof AppError) return { query: text, document: null, errors: [error] };
      return {
        query: text,
        document: null,
        errors: [new GraphQLError((error as GraphQLError).message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })],
      };
    }
    if (this.parsed.size >= MAX_DOCUMENTS) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(entry.query, entry);
    return entry;
  }
}
