import type { RequestContext } from '../../shared/context.js';
import type { UserLoaders } from '../users/index.js';
import type { LabelService } from './label.service.js';
import type { TaskListService } from './task-list.service.js';
import type { TaskLoaders } from './task.loaders.js';
import type { TaskService } from './task.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  { tasks: TaskService; taskLists: TaskListService; labels: LabelService },
  TaskLoaders & UserLoaders
>;
