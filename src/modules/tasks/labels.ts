import { labels, taskLabels } from '../../db/schema/index.js';
import { TagSet } from '../../shared/tag-set.js';

/** Task labels: each user's own tags of tasks (shared/tag-set.ts, like document tags). */
export const LABELS = new TagSet({
  what: 'Label',
  table: labels,
  columns: labels,
  uniqueName: 'labels_owner_name_key',
  links: taskLabels,
  link: { item: taskLabels.taskId, tag: taskLabels.labelId },
});
