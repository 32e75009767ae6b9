import type { App } from '../../shared/app.js';
import type { TagRow } from '../../shared/tag-set.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { LABELS } from './labels.js';
import type { CreateLabelInput, UpdateLabelInput } from './task.inputs.js';

/** Labels belong to their creator; only they list, change or attach them. */
export class LabelService {
  constructor(private readonly app: App) {}

  list(viewer: Viewer): Promise<TagRow[]> {
    return LABELS.list(this.app.db, viewer.userId);
  }

  create(viewer: Viewer, input: CreateLabelInput): Promise<TagRow> {
    return this.app.db.transaction(async (tx) => {
      const label = await LABELS.create(tx, viewer.userId, input);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'label.created',
        entityType: 'label',
        entityId: label.id,
        summary: `Created the label "${label.name}"`,
      });
      return label;
    });
  }

  update(viewer: Viewer, id: string, input: UpdateLabelInput): Promise<TagRow> {
    return LABELS.update(this.app.db, viewer.userId, id, input);
  }

  /** Deleting a label detaches it from every task (foreign key cascade). */
  delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const label = await LABELS.delete(tx, viewer.userId, id);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'label.deleted',
        entityType: 'label',
        entityId: label.id,
        summary: `Deleted the label "${label.name}"`,
      });
      return label.id;
    });
  }
}
