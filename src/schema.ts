import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type PubSub, buildSchema } from 'type-graphql';
import { authChecker } from './modules/accounts/auth-checker.js';
import { resolvers } from './modules/index.js';
import { DateTimeScalar } from './shared/scalars.js';

/** type-graphql insists on a PubSub once there are subscriptions; Orbit's subscribe through their own functions. */
const unusedPubSub: PubSub = {
  publish: () => {},
  subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ value: undefined, done: true }) }) }),
};

export async function buildOrbitSchema(pubSub: PubSub = unusedPubSub): Promise<GraphQLSchema> {
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
