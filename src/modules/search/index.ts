/** One search over the workspace (full text on every type), and links between items. */
export { SearchService, type HitRow } from './search.service.js';
export { type SearchLoaders, createSearchLoaders } from './search.loaders.js';
export { RelationResolver, SearchResolver } from './search.resolver.js';
export { SearchableType } from './search.type.js';
export { type SemanticState, prepareSemanticIndex } from './semantic-index.js';
export { EMBED, embedKind, startEmbedScheduler } from './embed-queue.js';
export { SEARCH_NOT_READY } from './search.type.js';
