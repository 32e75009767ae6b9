import 'reflect-metadata';
import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Db, createDb, execRows } from '../../src/db/client.js';
import { isPlainFieldResolver } from '../../src/graphql/schema.js';
import { closeAll } from '../helpers/teardown.js';

// Focused tests of three mechanisms of the hot path (issue 11, items 16-18).
let database: Database;
const things = pgTable('hot_path_things', { id: integer().notNull(), name: text().notNull() });
beforeAll(async () => {
  database = await createDb({ pgliteDir: undefined, DB_POOL_MAX: 1, DB_STATEMENT_TIMEOUT_MS: 5000 });
  await execRows(database.db, sql`create table hot_path_things (id int not null, name text not null)`);
  await execRows(database.db, sql`insert into hot_path_things values (1, 'one')`);
});
afterAll(() => closeAll(database));

describe('the compiled row mapper', () => {
  it('keys its mappers by the selection, not by the SQL text alone', async () => {
    const { db } = database;
    const a = db.select({ a: things.id }).from(things);
    const b = db.select({ b: things.id }).from(things);
    expect(a.toSQL().sql).toBe(b.toSQL().sql);
    expect(await a).toEqual([{ a: 1 }]);
    expect(await b).toEqual([{ b: 1 }]);
    expect(await db.select({ nested: { id: things.id } }).from(things)).toEqual([{ nested: { id: 1 } }]);
  });

  it('keys them by how each value is decoded', async () => {
    const { db } = database;
    expect(await db.select({ v: sql<string>`${things.name}` }).from(things)).toEqual([{ v: 'one' }]);
    expect(
      await db.select({ v: sql<string>`${things.name}`.mapWith((x: string) => x.toUpperCase()) }).from(things),
    ).toEqual([{ v: 'ONE' }]);
    expect(await db.select({ v: sql<number>`${things.name}`.mapWith((x: string) => x.length) }).from(things)).toEqual([
      { v: 3 },
    ]);
  });
});

describe('field resolvers called directly', () => {
  const base = {
    kind: 'external' as const,
    middlewares: [],
    params: [
      { kind: 'root', index: 0 },
      { kind: 'context', index: 1 },
    ],
  } as never as Parameters<typeof isPlainFieldResolver>[0];
  it('are only those without any @Authorized, even one without roles', () => {
    expect(isPlainFieldResolver({ ...base, roles: undefined })).toBe(true);
    expect(isPlainFieldResolver({ ...base, roles: [] })).toBe(false);
    expect(isPlainFieldResolver({ ...base, roles: ['ADMIN'] })).toBe(false);
    expect(isPlainFieldResolver({ ...base, roles: undefined, middlewares: [() => undefined] as never })).toBe(false);
    expect(isPlainFieldResolver({ ...base, roles: undefined, params: [{ kind: 'arg', index: 0 }] as never })).toBe(
      false,
    );
  });
});

describe('the database type', () => {
  it('has no relational query API (it is {} at run time); using it does not compile', () => {
    const use = (db: Db) =>
      // @ts-expect-error db.query is left out of Db: `npm run typecheck` fails if it comes back
      db.query.users;
    expect(typeof use).toBe('function');
    expect((database.db as unknown as { query: object }).query).toEqual({});
  });
});
