/** Token budgets by tier: reservations, records, the month's aggregate. */
export { type UsageCall, UsageService } from './usage.service.js';
export { MonthlyUsage } from './usage.type.js';
export { releaseLapsed } from './reservations.js';
export { UsageResolver } from './usage.resolver.js';
export { type AudioUsage, audioUsage, checkAudioLeft, meterAudio } from './audio.js';
