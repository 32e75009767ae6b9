import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { type PubSub, buildSchema } from 'type-graphql';
import { authChecker } from './modules/accounts/auth-checker.js';
import { resolvers } from './modules/index.js';
import { DateTimeScalar } from './shared/scalars.js';

export async function buildOrbitSchema(pubSub?: PubSub): Promise<GraphQLSchema> {
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
