import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  parse,
} from 'graphql';
import { AppError, ErrorCode } from './errors.js';

/** What a document may hold, checked before validation: the work after parsing is bounded by these. */
export interface DocumentLimits {
  /** Bytes of query text. */
  queryBytes: number;
  /** Lexical tokens; the parser stops at the first one past this. */
  tokens: number;
  /** Fields once every fragment is expanded where it is spread. */
  fields: number;
  /** Times one response name may be selected in one selection set, fragments expanded (`me me me …`). */
  sameName: number;
  depth: number;
  aliases: number;
  directives: number;
}

export const tooComplex = (message: string, limit: string, max: number) =>
  new AppError(ErrorCode.QUERY_TOO_COMPLEX, message, { limit, max, http: { status: 400 } });

interface Shape {
  fields: number;
  depth: number;
  /** How often each response name occurs at the top of this selection set, fragments expanded. */
  names: Map<string, number>;
}

/**
 * Measures a parsed document in one pass over its nodes: each fragment is measured once and reused
 * wherever it is spread, so a fragment that spreads another twice, ten levels deep, costs ten
 * fragments here (not 1,024 copies, as expanding it would). Cycles count as empty: validation
 * refuses them next.
 */
function measure(document: DocumentNode, limits: DocumentLimits): { fields: number; depth: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Shape>();
  const busy = new Set<string>();
  const empty: Shape = { fields: 0, depth: 0, names: new Map() };

  const fragment = (name: string): Shape => {
    const known = memo.get(name);
    if (known) return known;
    const node = fragments.get(name);
    if (!node || busy.has(name)) return empty;
    busy.add(name);
    const shape = selection(node.selectionSet);
    busy.delete(name);
    memo.set(name, shape);
    return shape;
  };

  const selection = (set: SelectionSetNode): Shape => {
    const out: Shape = { fields: 0, depth: 0, names: new Map() };
    const add = (name: string, times: number) => {
      const n = (out.names.get(name) ?? 0) + times;
      if (n > limits.sameName)
        throw tooComplex(
          `"${name}" is selected ${n} times in one selection; at most ${limits.sameName}`,
          'sameName',
          limits.sameName,
        );
      out.names.set(name, n);
    };
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const child = sel.selectionSet ? selection(sel.selectionSet) : empty;
        out.fields += 1 + child.fields;
        if (!sel.name.value.startsWith('__')) out.depth = Math.max(out.depth, 1 + child.depth);
        add((sel.alias ?? sel.name).value, 1);
        continue;
      }
      const inner: Shape = sel.kind === Kind.INLINE_FRAGMENT ? selection(sel.selectionSet) : fragment(sel.name.value);
      out.fields += inner.fields;
      out.depth = Math.max(out.depth, inner.depth);
      for (const [name, times] of inner.names) add(name, times);
      if (out.fields > limits.fields) break;
    }
    if (out.fields > limits.fields)
      throw tooComplex(`The document selects more than ${limits.fields} fields`, 'fields', limits.fields);
    return out;
  };

  let fields = 0;
  let depth = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const shape = selection(d.selectionSet);
    fields += shape.fields;
    depth = Math.max(depth, shape.depth);
  }
  if (fields > limits.fields)
    throw tooComplex(`The document selects more than ${limits.fields} fields`, 'fields', limits.fields);
  return { fields, depth };
}

/**
 * Parses query text and refuses, with QUERY_TOO_COMPLEX, a document whose checking or running would
 * take work that grows with it: too many bytes or tokens (the parser stops there), fields, repeats
 * of one name, aliases, directives or depth. Everything here is linear in the document, so it runs
 * before validation (whose overlap check is quadratic in repeated names). A syntax error is thrown as
 * graphql's own GraphQLError.
 */
export function parseWithinLimits(text: string, limits: DocumentLimits): DocumentNode {
  if (Buffer.byteLength(text) > limits.queryBytes)
    throw tooComplex(`The query text is over ${limits.queryBytes} bytes`, 'queryBytes', limits.queryBytes);
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: limits.tokens, noLocation: false });
  } catch (error) {
    if (error instanceof GraphQLError && /contains more th[ae][nt] \d+ tokens/.test(error.message)) {
      throw tooComplex(`The document has more than ${limits.tokens} tokens`, 'tokens', limits.tokens);
    }
    throw error;
  }
  let aliases = 0;
  let directives = 0;
  // An explicit stack: a document nested thousands of levels deep cannot overflow the call stack here.
  const stack: unknown[] = [document];
  while (stack.length) {
    const node = stack.pop() as { kind?: string; alias?: unknown } | unknown[] | null | undefined;
    if (Array.isArray(node)) {
      for (const n of node) stack.push(n);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    if (node.kind === Kind.FIELD && node.alias) aliases += 1;
    if (node.kind === Kind.DIRECTIVE) directives += 1;
    for (const [key, value] of Object.entries(node))
      if (key !== 'loc' && value && typeof value === 'object') stack.push(value);
  }
  if (aliases > limits.aliases)
    throw tooComplex(`At most ${limits.aliases} aliases per operation (found ${aliases})`, 'aliases', limits.aliases);
  if (directives > limits.directives)
    throw tooComplex(
      `At most ${limits.directives} directives per operation (found ${directives})`,
      'directives',
      limits.directives,
    );
  const { depth } = measure(document, limits);
  if (depth > limits.depth)
    throw tooComplex(`The query is ${depth} levels deep; at most ${limits.depth}`, 'depth', limits.depth);
  return document;
}
