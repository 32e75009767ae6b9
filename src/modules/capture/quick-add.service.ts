import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { labels, listMembers, projects, taskLists } from '../../db/schema/index.js';
import type { Queryable } from '../../db/client.js';
import type { App } from '../../shared/app.js';
import { FieldProblems } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';
import { type QuickAddNames, type QuickAddResult, parseQuickAdd } from './quick-add.js';

export const QUICK_ADD_MAX = 1_000;

/** The quick-add grammar over the viewer's names, clock and timezone; saves nothing. */
export class QuickAddService {
  constructor(private readonly app: App) {}

  async preview(viewer: Viewer, text: string): Promise<QuickAddResult> {
    const p = new FieldProblems();
    p.check(
      text.trim().length >= 1 && text.length <= QUICK_ADD_MAX,
      'text',
      `Text must be 1-${QUICK_ADD_MAX} characters`,
    );
    p.throwIfAny();
    return parseQuickAdd(text, {
      now: new Date(),
      zone: viewer.user.timezone,
      names: await quickAddNames(this.app.db, viewer.userId),
    });
  }
}

/** Lists the viewer may edit, their projects not archived, their labels: three small reads. */
export async function quickAddNames(db: Queryable, userId: string): Promise<QuickAddNames> {
  const lists = await db
    .select({ id: taskLists.id, name: taskLists.name })
    .from(taskLists)
    .innerJoin(listMembers, and(eq(listMembers.listId, taskLists.id), eq(listMembers.userId, userId)))
    .where(inArray(listMembers.role, ['OWNER', 'EDITOR']))
    .orderBy(asc(taskLists.position), asc(taskLists.id));
  const own = await db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(and(eq(projects.ownerId, userId), isNull(projects.archivedAt)))
    .orderBy(asc(projects.position));
  const tags = await db.select({ id: labels.id, name: labels.name }).from(labels).where(eq(labels.ownerId, userId));
  return { lists, projects: own, labels: tags };
}
