import {
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { type PubSub, buildSchema, getMetadataStorage } from 'type-graphql';
import { authChecker } from '../shared/access.js';
import { resolvers } from '../modules/index.js';
import { DateTimeScalar } from '../shared/scalars.js';

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
    throw new Error(
      `Field-level @Authorized or middleware on object types is not supported: ${guarded.map((g) => `${(g.target as { name?: string }).name}.${g.fieldName}`).join(', ')}`,
    );
  }
  for (const type of storage.objectTypes) type.simpleResolvers ??= true;
}

type Method = (...args: unknown[]) => unknown;

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>['fieldResolvers'][number];

/**
 * True for a field resolver that may be called directly: one of a resolver class, with no guard and
 * no middleware, taking only @Root, @Ctx and @Info. Any `roles` array means @Authorized was applied,
 * even an empty one (`@Authorized()` is "signed in", no role named): those keep type-graphql's path,
 * where the auth checker runs.
 */
export function isPlainFieldResolver(
  resolver: Pick<FieldResolverMetadata, 'kind' | 'roles' | 'middlewares' | 'params'>,
): boolean {
  if (resolver.kind !== 'external' || resolver.roles !== undefined || resolver.middlewares?.length) return false;
  return (resolver.params ?? []).every(
    (p) => (p.kind === 'root' || p.kind === 'context' || p.kind === 'info') && !('propertyName' in p && p.propertyName),
  );
}

/**
 * Field resolvers that take only @Root, @Ctx and @Info are called directly. For every call
 * type-graphql's generic path sorts their parameter metadata, copies the root into an instance of
 * its class and finds the resolver instance in a list: on a nested read of a thousand objects that
 * was a tenth of the allocations. Resolvers with arguments, roles or middlewares keep its path.
 */
function callPlainFieldResolversDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const instances = new Map<unknown, Record<string, Method>>();
  for (const resolver of storage.fieldResolvers) {
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const plain = isPlainFieldResolver(resolver);
    const objectType = storage.objectTypes.find((o) => o.target === resolver.getObjectType?.());
    const type = objectType ? schema.getType(objectType.name) : undefined;
    const field = isObjectType(type) ? type.getFields()[resolver.schemaName] : undefined;
    if (!plain || !field) continue;
    let instance = instances.get(resolver.target);
    if (!instance)
      instances.set(resolver.target, (instance = new (resolver.target as new () => Record<string, Method>)()));
    const self = instance;
    const method = instance[resolver.methodName];
    const kinds = params.map((p) => p.kind).join(',');
    field.resolve = (
      kinds === 'root,context'
        ? (root, _args, context) => method!.call(self, root, context)
        : (root, _args, context, info) =>
            method!.apply(
              self,
              params.map((p) => (p.kind === 'root' ? root : p.kind === 'context' ? context : info)),
            )
    ) as GraphQLFieldResolver<unknown, unknown>;
  }
}

export async function buildOrbitSchema(pubSub: PubSub = unusedPubSub): Promise<GraphQLSchema> {
  readPlainFieldsDirectly();
  const schema = await buildSchema({
    resolvers,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    orphanedTypes: [],
    validate: false,
    pubSub,
  });
  callPlainFieldResolversDirectly(schema);
  return schema;
}

const HEADER = '# Emitted from the code by `npm run schema:emit`; `npm run schema:check` fails when it is stale.\n\n';

/** The committed schema.graphql text: sorted, so it changes only when the API does. */
export function printOrbitSchema(schema: GraphQLSchema): string {
  return HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}
