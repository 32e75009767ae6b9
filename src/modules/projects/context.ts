import type { RequestContext } from '../../shared/context.js';
import type { TaskLoaders } from '../tasks/index.js';
import type { UserLoaders } from '../users/index.js';
import type { ProjectLoaders } from './project.loaders.js';
import type { ProjectService } from './project.service.js';
import type { ProjectStructureService } from './structure.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  { projects: ProjectService; projectStructure: ProjectStructureService },
  ProjectLoaders & TaskLoaders & UserLoaders
>;
