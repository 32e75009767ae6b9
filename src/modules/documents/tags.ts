import { documentTags, tags } from '../../db/schema/index.js';
import { TagSet } from '../../shared/tag-set.js';

/** Document tags: each user's own tags of documents (shared/tag-set.ts, like task labels). */
export const TAGS = new TagSet({
  what: 'Tag',
  table: tags,
  columns: tags,
  uniqueName: 'tags_owner_name_key',
  links: documentTags,
  link: { item: documentTags.documentId, tag: documentTags.tagId },
});
