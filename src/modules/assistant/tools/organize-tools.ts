import { z } from 'zod';
import { CaptureSource } from '../../capture/index.js';
import { ProjectStatus } from '../../projects/index.js';
import { day, defineTool } from './tool.js';

const shown = (p: { id: string; name: string; status: string; dueDate: string | null; areaId: string | null }) => ({
  id: p.id,
  name: p.name,
  status: p.status,
  dueDate: p.dueDate,
  areaId: p.areaId,
});

export const listProjects = defineTool({
  name: 'list_projects',
  description: "List the user's projects (not archived), by position; optionally only some statuses.",
  risk: 'READ',
  schema: z.strictObject({ status: z.array(z.enum(ProjectStatus)).max(5).optional() }),
  async run(viewer, s, a) {
    const rows = await s.projects.list(viewer, a.status ?? null, null, false);
    return { result: { projects: rows.map(shown) }, summary: `listed ${rows.length} project(s)` };
  },
});

export const createProject = defineTool({
  name: 'create_project',
  description: 'Create a personal project (tasks can then be put in it with its id).',
  risk: 'WRITE',
  schema: z.strictObject({ name: z.string().max(120), dueDate: day.optional() }),
  async run(viewer, s, a) {
    const p = await s.projects.create(viewer, { name: a.name, dueDate: a.dueDate ?? null });
    return {
      result: { project: shown(p) },
      entity: { type: 'project', id: p.id },
      summary: `created the project “${p.name}”`,
    };
  },
});

export const createCapture = defineTool({
  name: 'create_capture',
  description:
    "Put a thought in the user's capture inbox (source ASSISTANT): it is triaged into suggestions the user reviews; nothing else is created.",
  risk: 'WRITE',
  schema: z.strictObject({ text: z.string().max(10_000) }),
  async run(viewer, s, a) {
    const c = await s.captures.create(viewer, { text: a.text }, CaptureSource.ASSISTANT);
    return {
      result: { capture: { id: c.id, status: c.status } },
      entity: { type: 'capture', id: c.id },
      summary: 'put a note in the capture inbox',
    };
  },
});
