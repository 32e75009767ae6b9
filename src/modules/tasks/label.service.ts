import { and, asc, eq, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { labels } from '../../db/schema/index.js';
import { ConflictError, FieldProblems, NotFoundError, isUniqueViolation } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { recordActivity } from '../activity/index.js';
import type { Viewer } from '../../shared/viewer.js';
import type { CreateLabelInput, UpdateLabelInput } from './task.inputs.js';
import { checkColor } from '../../shared/validation.js';
import type { LabelRow } from './task.type.js';

/** Labels belong to their creator; only they list, change or attach them. */
export class LabelService {
  constructor(private readonly app: App) {}

  list(viewer: Viewer): Promise<LabelRow[]> {
    return this.app.db.select().from(labels).where(eq(labels.ownerId, viewer.userId)).orderBy(sql`lower(${labels.name})`, asc(labels.id));
  }

  async create(viewer: Viewer, input: CreateLabelInput): Promise<LabelRow> {
    const name = this.checked(input.name, input.color, true)!;
    return this.unique(() =>
      this.app.db.transaction(async (tx) => {
        const [label] = await tx.insert(labels).values({ ownerId: viewer.userId, name, color: input.color ?? null }).returning();
        await recordActivity(tx, { actorId: viewer.userId, verb: 'label.created', entityType: 'label', entityId: label!.id, summary: `Created the label "${name}"` });
        return label!;
      }),
    );
  }

  async update(viewer: Viewer, id: string, input: UpdateLabelInput): Promise<LabelRow> {
    const labelId = parseId(id, 'Label');
    const name = this.checked(input.name, input.color, input.name !== undefined);
    const changes: Partial<LabelRow> = {};
    if (name) changes.name = name;
    if (input.color !== undefined) changes.color = input.color;
    return this.unique(async () => {
      const [label] = Object.keys(changes).length
        ? await this.app.db.update(labels).set(changes).where(and(eq(labels.id, labelId), eq(labels.ownerId, viewer.userId))).returning()
        : await this.app.db.select().from(labels).where(and(eq(labels.id, labelId), eq(labels.ownerId, viewer.userId)));
      if (!label) throw new NotFoundError('Label');
      return label;
    });
  }

  /** Deleting a label detaches it from every task (foreign key cascade). */
  async delete(viewer: Viewer, id: string): Promise<string> {
    const labelId = parseId(id, 'Label');
    return this.app.db.transaction(async (tx) => {
      const [label] = await tx.delete(labels).where(and(eq(labels.id, labelId), eq(labels.ownerId, viewer.userId))).returning();
      if (!label) throw new NotFoundError('Label');
      await recordActivity(tx, { actorId: viewer.userId, verb: 'label.deleted', entityType: 'label', entityId: label.id, summary: `Deleted the label "${label.name}"` });
      return label.id;
    });
  }

  private checked(rawName: string | null | undefined, color: string | null | undefined, nameGiven: boolean): string | undefined {
    const name = rawName?.trim();
    const p = new FieldProblems();
    if (nameGiven) p.check(!!name && name.length <= 50, 'name', 'Name must be 1-50 characters');
    checkColor(p, color);
    p.throwIfAny();
    return name;
  }

  private async unique<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isUniqueViolation(error, 'labels_owner_name_key')) throw new ConflictError('You have a label with this name already', 'name');
      throw error;
    }
  }
}
