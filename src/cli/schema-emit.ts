import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOrbitSchema, printOrbitSchema } from '../graphql/schema.js';

const file = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
const text = printOrbitSchema(await buildOrbitSchema());

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (current !== text) {
    console.error('schema.graphql is stale: run `npm run schema:emit` and commit it');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
