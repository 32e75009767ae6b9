import type { CodegenConfig } from '@graphql-codegen/cli';

/** Types for the operations in src/ from Orbit's emitted schema (no server needed). */
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        strictScalars: true,
        useTypeImports: true,
        // Orbit's custom scalars travel as JSON strings (DateTime, Date) and any JSON value.
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' },
      },
    },
  },
};
export default config;
