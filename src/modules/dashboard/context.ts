import type { RequestContext } from '../../shared/context.js';
import type { JournalService } from '../journal/index.js';
import type { UsageService } from '../usage/index.js';
import type { DashboardService } from './dashboard.service.js';
import type { ExportService } from './export.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  { dashboard: DashboardService; exporter: ExportService; journal: JournalService; usage: UsageService },
  object
>;
