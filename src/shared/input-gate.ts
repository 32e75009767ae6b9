import {
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLInputType,
  Kind,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  TypeInfo,
  coerceInputValue,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { AppError, ErrorCode } from './errors.js';
import { MAX_PAGE_SIZE } from './pagination.js';

/** Caps on argument values, the same for every field; the schema descriptions state them. */
export const INPUT_CAPS = {
  /** Items in any list argument or list input field. */
  listItems: 100,
  /** Nesting of a JSON value (objects and arrays). */
  jsonDepth: 32,
  /** A JSON value, as JSON text. */
  jsonBytes: 256 * 1024,
} as const;

/** Arguments that size a page: 0 to MAX_PAGE_SIZE. */
const PAGE_ARGS = new Set(['first', 'last', 'limit']);

type Problems = Record<string, string>;

/** The field a problem belongs to: the innermost named key of its path (`input.title` → `title`). */
function fieldOf(path: ReadonlyArray<string | number>): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return 'input';
}

function add(problems: Problems, path: ReadonlyArray<string | number>, message: string): void {
  problems[fieldOf(path)] ??= message;
}

/** A JSON value: depth and size within the caps, no NUL anywhere (PostgreSQL's text and jsonb hold none). */
function checkJson(value: unknown, path: ReadonlyArray<string | number>, problems: Problems): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let bytes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      bytes += v.length + 2;
      if (v.includes('\u0000')) return add(problems, path, 'Text must not contain NUL (\\u0000) characters');
    } else if (v && typeof v === 'object') {
      if (depth >= INPUT_CAPS.jsonDepth)
        return add(problems, path, `JSON may nest at most ${INPUT_CAPS.jsonDepth} levels`);
      for (const [key, item] of Object.entries(v)) {
        bytes += key.length + 4;
        if (key.includes('\u0000')) return add(problems, path, 'Text must not contain NUL (\\u0000) characters');
        stack.push([item, depth + 1]);
      }
    } else {
      bytes += 8;
    }
    if (bytes > INPUT_CAPS.jsonBytes)
      return add(problems, path, `JSON must be at most ${INPUT_CAPS.jsonBytes / 1024} KB`);
  }
}

/** Walks one coerced argument value along its input type. */
function checkValue(value: unknown, type: GraphQLInputType, path: Array<string | number>, problems: Problems): void {
  if (value === null || value === undefined) return;
  const nullable: GraphQLInputType = getNullableType(type);
  if (isListType(nullable)) {
    const items = value as unknown[];
    if (items.length > INPUT_CAPS.listItems) return add(problems, path, `At most ${INPUT_CAPS.listItems} items`);
    for (let i = 0; i < items.length; i++) checkValue(items[i], nullable.ofType, [...path, i], problems);
    return;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (field) checkValue(item, field.type, [...path, key], problems);
    }
    return;
  }
  if (isScalarType(nullable) && nullable.name === 'JSON') return checkJson(value, path, problems);
  if (typeof value === 'string' && value.includes('\u0000'))
    add(problems, path, 'Text must not contain NUL (\\u0000) characters');
}

const badInput = (fields: Problems) =>
  new AppError(
    ErrorCode.BAD_USER_INPUT,
    `Invalid input: ${Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
    { fields, http: { status: 400 } },
  );

/**
 * Coerces the operation's variables as execution will, and refuses with BAD_USER_INPUT (HTTP 400,
 * extensions.fields naming each field) a missing or unparsable variable. Throws the first problems.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const problems: Problems = {};
  const coerced: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type as never) as GraphQLInputType | undefined;
    if (!type) continue; // Validation has refused the document already.
    if (!Object.prototype.hasOwnProperty.call(raw, name) || raw[name] === undefined) {
      if (isNonNullType(type) && !def.defaultValue)
        add(problems, [name], `Variable $${name} of type ${String(type)} is required`);
      continue;
    }
    if (raw[name] === null && isNonNullType(type)) {
      add(problems, [name], `Variable $${name} of type ${String(type)} must not be null`);
      continue;
    }
    coerced[name] = coerceInputValue(raw[name], type, (path, _invalid, error) => {
      add(
        problems,
        [name, ...path],
        error.originalError instanceof GraphQLError ? error.originalError.message : error.message,
      );
    });
  }
  if (Object.keys(problems).length) throw badInput(problems);
  return coerced;
}

/**
 * The one place every argument of an operation is checked before anything runs, whatever field it
 * belongs to: text without NUL characters, lists of at most INPUT_CAPS.listItems items, JSON within
 * its depth and size, page sizes (`first`, `limit`) from 0 to MAX_PAGE_SIZE. Variables are coerced
 * first (coerceVariables). Anything else is BAD_USER_INPUT naming the field, with HTTP 400.
 * Returns the coerced variables, for the cost count.
 */
export function checkInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const variables = coerceVariables(schema, operation, raw);
  const problems: Problems = {};
  const typeInfo = new TypeInfo(schema);
  const used = new Set<unknown>([operation]);
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) used.add(d);
  for (const definition of document.definitions) {
    if (!used.has(definition)) continue;
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const def = typeInfo.getFieldDef();
          if (!def || !node.arguments?.length) return;
          let values: Record<string, unknown>;
          try {
            values = getArgumentValues(def, node, variables);
          } catch {
            return; // An argument that does not coerce: validation or execution reports it.
          }
          for (const arg of def.args) {
            const value = values[arg.name];
            if (value === undefined) continue;
            if (
              PAGE_ARGS.has(arg.name) &&
              getNamedType(arg.type).name === 'Int' &&
              typeof value === 'number' &&
              (value < 0 || value > MAX_PAGE_SIZE)
            ) {
              add(problems, [arg.name], `${arg.name} must be between 0 and ${MAX_PAGE_SIZE}`);
              continue;
            }
            checkValue(value, arg.type, [arg.name], problems);
          }
        },
      }),
    );
  }
  if (Object.keys(problems).length) throw badInput(problems);
  return variables;
}

/** The field each literal value of a validated document was given for (argument or input field name). */
const literalFields = new WeakMap<ASTNode, string>();

/**
 * A validation rule that reports nothing: it remembers, for every literal value, the argument or
 * input field it was written for, so that graphql's own error for a bad literal (validation's
 * "Expected value of type …") can name the field in extensions.fields like every other input error.
 */
export function literalFieldNames(): ASTVisitor {
  return {
    Argument(node) {
      literalFields.set(node.value, node.name.value);
    },
    ObjectField(node) {
      literalFields.set(node.value, node.name.value);
    },
    ListValue(node) {
      const name = literalFields.get(node);
      if (name) for (const item of node.values) literalFields.set(item, name);
    },
  };
}

/** The field of a validation error about a literal value, if literalFieldNames saw it. */
export function literalFieldOf(error: unknown): string | undefined {
  const node = (error as { nodes?: readonly ASTNode[] } | null)?.nodes?.[0];
  return node ? literalFields.get(node) : undefined;
}
