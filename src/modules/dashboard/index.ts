/**
 * Read models over several modules' tables: the dashboard and the data export. They read through SQL
 * (and the other modules' exported SQL helpers), never through another module's services' writes.
 */
export { DashboardService } from './dashboard.service.js';
export { ExportService } from './export.service.js';
export { DashboardResolver } from './dashboard.resolver.js';
export { ExportResolver } from './export.resolver.js';
export { Dashboard } from './dashboard.type.js';
