import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db, Queryable } from '../db/client.js';
import { anyId } from '../db/sql.js';
import { ConflictError, FieldProblems, NotFoundError, isUniqueViolation } from './errors.js';
import { parseId } from './ids.js';
import { KnownLoader } from './known-loader.js';
import { ownedIds } from './owned.js';
import { checkColor } from './validation.js';

/** A user's own named, coloured marker: a task label or a document tag. */
export interface TagRow {
  id: string;
  ownerId: string;
  name: string;
  color: string | null;
  createdAt: Date;
}

/** The tables of one kind of tag: the tags (owned by a user) and their links to items. */
export interface TagTables {
  /** "Label", "Tag": in messages and NOT_FOUND. */
  what: string;
  table: PgTable;
  columns: { id: PgColumn; ownerId: PgColumn; name: PgColumn; color: PgColumn; createdAt: PgColumn };
  /** The unique index on (owner, lower(name)). */
  uniqueName: string;
  links: PgTable;
  link: { item: PgColumn; tag: PgColumn };
}

const NAME_MAX = 50;

/**
 * One implementation of owner-scoped tags, used by task labels and document tags: a tag belongs to
 * its creator, who alone lists, changes, attaches or deletes it; names are unique per owner (case
 * folded), 1-50 characters; colours are #RRGGBB.
 */
export class TagSet {
  private readonly select: Record<keyof TagRow, PgColumn>;
  /** The property names drizzle gave the link columns in their table (e.g. taskId, labelId). */
  private readonly linkKeys: { item: string; tag: string };

  constructor(readonly def: TagTables) {
    const { id, ownerId, name, color, createdAt } = def.columns;
    this.select = { id, ownerId, name, color, createdAt };
    const keyOf = (column: PgColumn) => {
      const entry = Object.entries(getTableColumns(def.links)).find(([, c]) => c === column);
      if (!entry) throw new Error(`${def.what}: the link column is not in its table`);
      return entry[0];
    };
    this.linkKeys = { item: keyOf(def.link.item), tag: keyOf(def.link.tag) };
  }

  /** The trimmed name, after checking name (when given) and colour. */
  checked(
    rawName: string | null | undefined,
    color: string | null | undefined,
    nameGiven: boolean,
  ): string | undefined {
    const name = rawName?.trim();
    const p = new FieldProblems();
    if (nameGiven) p.check(!!name && name.length <= NAME_MAX, 'name', `Name must be 1-${NAME_MAX} characters`);
    checkColor(p, color);
    p.throwIfAny();
    return name;
  }

  list(q: Queryable, ownerId: string): Promise<TagRow[]> {
    const c = this.def.columns;
    return q
      .select(this.select)
      .from(this.def.table)
      .where(eq(c.ownerId, ownerId))
      .orderBy(sql`lower(${c.name})`, asc(c.id)) as Promise<TagRow[]>;
  }

  async create(q: Queryable, ownerId: string, input: { name: string; color?: string | null }): Promise<TagRow> {
    const name = this.checked(input.name, input.color, true)!;
    return this.unique(async () => {
      const [row] = (await q
        .insert(this.def.table)
        .values({ ownerId, name, color: input.color ?? null } as never)
        .returning(this.select)) as TagRow[];
      return row!;
    });
  }

  async update(
    q: Queryable,
    ownerId: string,
    id: string,
    input: { name?: string | null; color?: string | null },
  ): Promise<TagRow> {
    const c = this.def.columns;
    const tagId = parseId(id, this.def.what);
    const name = this.checked(input.name, input.color, input.name !== undefined);
    const changes: Record<string, unknown> = {};
    if (name) changes.name = name;
    if (input.color !== undefined) changes.color = input.color;
    const mine = and(eq(c.id, tagId), eq(c.ownerId, ownerId));
    return this.unique(async () => {
      const [row] = (
        Object.keys(changes).length
          ? await q
              .update(this.def.table)
              .set(changes as never)
              .where(mine)
              .returning(this.select)
          : await q.select(this.select).from(this.def.table).where(mine)
      ) as TagRow[];
      if (!row) throw new NotFoundError(this.def.what);
      return row;
    });
  }

  /** Deletes the owner's tag; its links go with it (foreign key cascade). */
  async delete(q: Queryable, ownerId: string, id: string): Promise<TagRow> {
    const c = this.def.columns;
    const [row] = (await q
      .delete(this.def.table)
      .where(and(eq(c.id, parseId(id, this.def.what)), eq(c.ownerId, ownerId)))
      .returning(this.select)) as TagRow[];
    if (!row) throw new NotFoundError(this.def.what);
    return row;
  }

  /** The given ids, deduplicated, when each is the owner's tag; otherwise NOT_FOUND. */
  owned(q: Queryable, ownerId: string, ids: string[]): Promise<string[]> {
    return ownedIds(q, this.def.table, this.def.columns.id, this.def.columns.ownerId, ownerId, ids, this.def.what);
  }

  async attach(q: Queryable, itemId: string, tagIds: string[]): Promise<void> {
    // A link another transaction has just made is the same link: nothing to add, nothing to fail.
    if (tagIds.length)
      await q
        .insert(this.def.links)
        .values(tagIds.map((tagId) => ({ [this.linkKeys.item]: itemId, [this.linkKeys.tag]: tagId })))
        .onConflictDoNothing();
  }

  /** Replaces the owner's tags on an item with `tagIds` (already owned); others' tags on it stay. */
  async replace(q: Queryable, itemId: string, ownerId: string, tagIds: string[]): Promise<void> {
    const { link, columns } = this.def;
    const mine = q.select({ id: columns.id }).from(this.def.table).where(eq(columns.ownerId, ownerId));
    await q.delete(this.def.links).where(and(eq(link.item, itemId), inArray(link.tag, mine)));
    await this.attach(q, itemId, tagIds);
  }

  /** Per request: the tags of many items in one statement, by name. */
  byItemLoader(db: Db): KnownLoader<string, TagRow[]> {
    const { link, columns } = this.def;
    return new KnownLoader<string, TagRow[]>(async (ids) => {
      const rows = await db
        .select({ itemId: link.item, tag: this.select })
        .from(this.def.links)
        .innerJoin(this.def.table, eq(columns.id, link.tag))
        .where(anyId(link.item, ids))
        .orderBy(sql`lower(${columns.name})`, columns.id);
      const byItem = new Map<string, TagRow[]>();
      for (const r of rows as Array<{ itemId: string; tag: TagRow }>) {
        let list = byItem.get(r.itemId);
        if (!list) byItem.set(r.itemId, (list = []));
        list.push(r.tag);
      }
      return ids.map((id) => byItem.get(id) ?? []);
    });
  }

  /** Per request: how many items carry each tag, in one statement. */
  countLoader(db: Db): KnownLoader<string, number> {
    const { link } = this.def;
    return new KnownLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ tagId: link.tag, n: sql<number>`count(*)::int` })
        .from(this.def.links)
        .where(anyId(link.tag, ids))
        .groupBy(link.tag);
      const byId = new Map(rows.map((r) => [r.tagId as string, Number(r.n)]));
      return ids.map((id) => byId.get(id) ?? 0);
    });
  }

  private async unique<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isUniqueViolation(error, this.def.uniqueName))
        throw new ConflictError(`You have a ${this.def.what.toLowerCase()} with this name already`, 'name');
      throw error;
    }
  }
}
