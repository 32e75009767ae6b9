/** Personal projects (areas, sections, progress) that tasks from any editable list join. */
export { ProjectService } from './project.service.js';
export { ProjectStructureService } from './structure.service.js';
export { releaseProjectsOf } from './project-tasks.js';
export { type ProjectLoaders, createProjectLoaders } from './project.loaders.js';
export {
  AreaResolver,
  DashboardProjectFields,
  ProjectResolver,
  ProjectSectionResolver,
  TaskProjectFields,
} from './project.resolver.js';
export { Project, ProjectStatus } from './project.type.js';
