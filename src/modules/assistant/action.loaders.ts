import DataLoader from 'dataloader';
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assistantActions } from '../../db/schema/index.js';
import { anyId } from '../../db/sql.js';
import type { ActionRow } from './action.type.js';

/** The actions of many assistant messages in one statement, in the order they were made. */
export function createAssistantLoaders(db: Db) {
  return {
    actionsOf: new DataLoader<string, ActionRow[]>(async (messageIds) => {
      const rows = await db
        .select()
        .from(assistantActions)
        .where(anyId(assistantActions.messageId, messageIds))
        .orderBy(asc(assistantActions.createdAt), asc(assistantActions.id));
      const by = new Map<string, ActionRow[]>();
      for (const row of rows) {
        let list = by.get(row.messageId!);
        if (!list) by.set(row.messageId!, (list = []));
        list.push(row);
      }
      return messageIds.map((id) => by.get(id) ?? []);
    }),
  };
}
export type AssistantLoaders = ReturnType<typeof createAssistantLoaders>;
