import type { Db } from '../../db/client.js';
import { TAGS } from './tags.js';

export function createDocumentLoaders(db: Db) {
  return {
    tagsByDocument: TAGS.byItemLoader(db),
    documentCountByTag: TAGS.countLoader(db),
  };
}

export type DocumentLoaders = ReturnType<typeof createDocumentLoaders>;
