import DataLoader from 'dataloader';
import { and, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { messages, modelCalls } from '../../db/schema/index.js';
import { type Connection, type PageRequest, cursorCast, keysetAfter, toConnection } from '../../shared/pagination.js';
import type { MessageRow, ModelCallRow } from './conversation.type.js';

/** Message pages of many conversations in one statement (oldest first), like task pages per list. */
export function createConversationLoaders(db: Db) {
  const pages = new Map<string, DataLoader<string, Connection<MessageRow>>>();
  return {
    modelCallsOf: modelCallsLoader(db),
    messagesOf: (page: PageRequest) => {
      const key = JSON.stringify(page);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, Connection<MessageRow>>(async (ids) => {
          const past = keysetAfter(messages.seq, messages.id, 'ASC', page.after, cursorCast.bigint) ?? sql`true`;
          const inner = db
            .select({
              ...getTableColumns(messages),
              total: sql<number>`count(*) over (partition by ${messages.conversationId})`.as('total'),
              past: sql<boolean>`(${past})`.as('past'),
              rank: sql<number>`count(*) filter (where ${past}) over (partition by ${messages.conversationId} order by ${messages.seq}, ${messages.id})`.as(
                'rank',
              ),
            })
            .from(messages)
            .where(anyId(messages.conversationId, ids))
            .as('m');
          const rows = await db
            .select()
            .from(inner)
            .where(and(sql`${inner.past}`, sql`${inner.rank} <= ${page.limit + 1}`))
            .orderBy(inner.conversationId, inner.rank);
          const byId = new Map<string, { rows: MessageRow[]; total: number }>();
          for (const { total, past: _p, rank: _r, ...m } of rows) {
            const g = byId.get(m.conversationId) ?? { rows: [], total: Number(total) };
            g.rows.push(m);
            byId.set(m.conversationId, g);
          }
          return ids.map((id) => {
            const g = byId.get(id);
            return toConnection(
              g?.rows ?? [],
              page,
              (r) => [r.seq, r.id],
              g?.total ?? (page.after ? () => countOf(db, id) : 0),
            );
          });
        });
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

async function countOf(db: Db, conversationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(sql`${messages.conversationId} = ${conversationId}`);
  return Number(row?.n ?? 0);
}

export type ConversationLoaders = ReturnType<typeof createConversationLoaders>;

/** The model calls shown per conversation: the most recent ones. */
export const MODEL_CALLS_SHOWN = 100;

/** The model-call log of many conversations in one statement, oldest first, the last 100 each. */
export function modelCallsLoader(db: Db) {
  return new DataLoader<string, ModelCallRow[]>(async (ids) => {
    const ranked = db
      .select({
        ...getTableColumns(modelCalls),
        n: sql<number>`row_number() over (partition by ${modelCalls.conversationId} order by ${modelCalls.createdAt} desc, ${modelCalls.id} desc)`.as(
          'n',
        ),
      })
      .from(modelCalls)
      .where(anyId(modelCalls.conversationId, ids))
      .as('c');
    const rows = await db
      .select()
      .from(ranked)
      .where(sql`${ranked.n} <= ${MODEL_CALLS_SHOWN}`)
      .orderBy(ranked.createdAt, ranked.id);
    const by = new Map<string, ModelCallRow[]>();
    for (const { n: _n, ...row } of rows) {
      let list = by.get(row.conversationId);
      if (!list) by.set(row.conversationId, (list = []));
      list.push(row);
    }
    return ids.map((id) => by.get(id) ?? []);
  });
}
