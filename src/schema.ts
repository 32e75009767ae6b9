import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type PubSub, buildSchema, getMetadataStorage } from 'type-graphql';
import { authChecker } from './modules/accounts/auth-checker.js';
import { resolvers } from './modules/index.js';
import { DateTimeScalar } from './shared/scalars.js';

/** type-graphql insists on a PubSub once there are subscriptions; Orbit's subscribe through their own functions. */
const unusedPubSub: PubSub = {
  publish: () => {},
  subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ value: undefined, done: true }) }) }),
};

/**
 * Plain fields are read straight off their objects (graphql's default resolver) instead of through
 * type-graphql's per-field wrapper, which allocates for every field of every object it returns. That
 * wrapper is where field-level @Authorized and middlewares would run, so they are refused here:
 * Orbit checks access in resolvers and services, never on an object type's plain fields.
 */
function readPlainFieldsDirectly(): void {
  const storage = getMetadataStorage();
  const objectTypes = new Set<unknown>(storage.objectTypes.map((t) => t.target));
  const guarded = [...storage.authorizedFields, ...storage.middlewares].filter((m) => objectTypes.has(m.target));
  if (guarded.length > 0) {
    throw new Error(`Field-level @Authorized or middleware on object types is not supported: ${guarded.map((g) => `${(g.target as { name?: string }).name}.${g.fieldName}`).join(', ')}`);
  }
  for (const type of storage.objectTypes) type.simpleResolvers ??= true;
}

export async function buildOrbitSchema(pubSub: PubSub = unusedPubSub): Promise<GraphQLSchema> {
  readPlainFieldsDirectly();
  return buildSchema({
    resolvers,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    orphanedTypes: [],
    validate: false,
    pubSub,
  });
}

const HEADER = '# Emitted from the code by `npm run schema:emit`; `npm run schema:check` fails when it is stale.\n\n';

/** The committed schema.graphql text: sorted, so it changes only when the API does. */
export function printOrbitSchema(schema: GraphQLSchema): string {
  return HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}
