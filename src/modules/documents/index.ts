/** Documents with full-text search, and their tags. */
export { DocumentService } from './document.service.js';
export { type DocumentLoaders, createDocumentLoaders } from './document.loaders.js';
export { DocumentResolver, TagResolver } from './document.resolver.js';
export { Document } from './document.type.js';
