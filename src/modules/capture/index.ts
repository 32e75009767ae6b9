/** Quick capture: text captures triaged by the quick-add grammar into suggestions the user reviews. */
import './topics.js';
export { QuickAddService } from './quick-add.service.js';
export { QuickAddResolver } from './quick-add.resolver.js';
export { type QuickAddNames, type QuickAddResult, parseQuickAdd } from './quick-add.js';
export { CaptureService } from './capture.service.js';
export { SuggestionService } from './suggestion.service.js';
export { type CaptureLoaders, createCaptureLoaders } from './capture.loaders.js';
export { CaptureResolver, CaptureSuggestionFields, DashboardCaptureFields } from './capture.resolver.js';
export { Capture, CaptureSource } from './capture.type.js';
export { VoiceCaptureService } from './voice.service.js';
export { TRANSCRIBE, ownerViewer, purgeCaptureAudio, transcribeKind } from './transcribe-job.js';
export { BUDGET_SPENT, MODEL_TRIAGE, type Proposal, finishModelTriage, triageContext } from './model-triage.js';
export { SuggestionKind } from './capture.type.js';
export type { StoredDraft, StoredTask } from './drafts.js';
export { VoiceCaptureResolver, CaptureVoiceFields } from './voice.resolver.js';
