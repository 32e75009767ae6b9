/** Quick capture: so far the quick-add grammar (parseQuickAdd); captures, voice and triage build on it. */
export { QuickAddService } from './quick-add.service.js';
export { QuickAddResolver } from './quick-add.resolver.js';
export { type QuickAddNames, type QuickAddResult, parseQuickAdd } from './quick-add.js';
