import { defineConfig } from 'drizzle-kit';

// drizzle-kit generate reads the tables in src/db/schema and writes SQL migrations into drizzle/.
// The server applies them itself on start (src/db/migrate.ts); `npm run db:migrate` does the same.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
  casing: 'snake_case',
});
