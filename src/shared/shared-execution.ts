import { type ExecutionArgs, type ExecutionResult, createSourceEventStream, execute } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-ws `subscribe`: like graphql's own, but an event payload delivered to several
 * subscriptions of the same viewer with the same document and variables is executed once per
 * replica (a user's tabs and devices). The key holds the viewer, so no result crosses viewers; the
 * cache hangs off the payload object and goes with it.
 */
export function createSharedSubscribe(viewerOf: (contextValue: unknown) => string | null) {
  const results = new WeakMap<object, Map<string, Result>>();
  const variableKeys = new WeakMap<object, string>();

  const run = (args: ExecutionArgs, payload: unknown): Result => {
    const viewer = viewerOf(args.contextValue);
    if (viewer === null || typeof payload !== 'object' || payload === null)
      return execute({ ...args, rootValue: payload });
    const vars = args.variableValues ?? {};
    let varsKey = variableKeys.get(vars);
    if (varsKey === undefined) variableKeys.set(vars, (varsKey = JSON.stringify(vars)));
    const key = `${viewer}\u0000${args.operationName ?? ''}\u0000${varsKey}`;
    let byDoc = results.get(payload);
    if (!byDoc) results.set(payload, (byDoc = new Map<string, Result>()));
    const docKey = `${documentId(args.document)}\u0000${key}`;
    let result = byDoc.get(docKey);
    if (!result) byDoc.set(docKey, (result = execute({ ...args, rootValue: payload })));
    return result;
  };

  return async function subscribe(args: ExecutionArgs) {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream as AsyncIterableIterator<unknown>;
    return new MappedStream(source, (payload) => run(args, payload));
  };
}

const ids = new WeakMap<object, number>();
let nextId = 0;
/** Documents come from the per-query cache, so one query text has one AST object. */
function documentId(document: object): number {
  let id = ids.get(document);
  if (id === undefined) ids.set(document, (id = ++nextId));
  return id;
}

/** Events mapped to execution results; `.then` rather than an async function, prototype methods rather than closures. */
class MappedStream implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterableIterator<unknown>,
    private readonly map: (payload: unknown) => Result,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source
      .next()
      .then((item) =>
        item.done
          ? { value: undefined, done: true as const }
          : Promise.resolve(this.map(item.value)).then((value) => ({ value, done: false as const })),
      );
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
