/** Task lists shared with members, their tasks, and each user's labels. */
import './topics.js';
export { LabelService } from './label.service.js';
export { TaskListService } from './task-list.service.js';
export { TaskService } from './task.service.js';
export { type TaskLoaders, createTaskLoaders } from './task.loaders.js';
export { applyPendingShares, releaseTasksOf } from './task.hooks.js';
export { emptyTaskPage, pageTasks, visibleListIds } from './task.pages.js';
export { TaskConnection, type TaskRow } from './task.type.js';
export { TaskFilter, TaskOrder } from './task.inputs.js';
export { LabelResolver } from './label.resolver.js';
export { ListMemberResolver, TaskListResolver } from './task-list.resolver.js';
export { TaskResolver } from './task.resolver.js';
export { TaskEventsResolver } from './task-events.resolver.js';
export { Label, OrderDirection, TaskPriority, TaskStatus } from './task.type.js';
export { CreateLabelInput } from './task.inputs.js';
export { ListRole } from './task-list.type.js';
export { Task } from './task.type.js';
export { preloadTaskFields } from './task.preload.js';
