import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { projectSections, projects } from '../../db/schema/index.js';
import { ConflictError, InputError, NotFoundError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { dateInZone, localInstant } from '../../shared/zones.js';

interface PlacementInput {
  projectId?: string | null;
  sectionId?: string | null;
}
interface Placement {
  projectId: string | null;
  sectionId: string | null;
}

/**
 * Where a task sits among the viewer's projects. A project is personal: only the viewer's own
 * (else NOT_FOUND), not archived (CONFLICT); the section must be of the task's project
 * (BAD_USER_INPUT); clearing or changing the project clears the section. Undefined: no change.
 */
export async function placeTask(
  tx: Tx,
  viewer: Viewer,
  input: PlacementInput,
  current: Placement = { projectId: null, sectionId: null },
): Promise<Placement | undefined> {
  if (input.projectId === undefined && input.sectionId === undefined) return undefined;
  if (input.projectId === null) {
    if (input.sectionId) throw new InputError({ sectionId: 'A task in no project has no section' });
    return { projectId: null, sectionId: null };
  }
  let projectId = current.projectId;
  if (input.projectId !== undefined) {
    const [id] = validIds([input.projectId]);
    const [project] = id
      ? await tx
          .select({ id: projects.id, archivedAt: projects.archivedAt })
          .from(projects)
          .where(and(eq(projects.id, id), eq(projects.ownerId, viewer.userId)))
      : [];
    if (!project) throw new NotFoundError('Project');
    if (project.archivedAt) throw new ConflictError('The project is archived: unarchive it first', 'projectId');
    projectId = project.id;
  }
  const moved = projectId !== current.projectId;
  if (input.sectionId === undefined) return { projectId, sectionId: moved ? null : current.sectionId };
  if (input.sectionId === null) return { projectId, sectionId: null };
  const [sectionId] = validIds([input.sectionId]);
  const [section] =
    sectionId && projectId
      ? await tx
          .select({ id: projectSections.id })
          .from(projectSections)
          .innerJoin(projects, eq(projects.id, projectSections.projectId))
          .where(
            and(
              eq(projectSections.id, sectionId),
              eq(projectSections.projectId, projectId),
              eq(projects.ownerId, viewer.userId),
            ),
          )
      : [];
  if (!section) throw new InputError({ sectionId: "The section must be one of the task's project" });
  return { projectId, sectionId: section.id };
}

interface DueInput {
  dueAt?: Date | null;
  dueAllDay?: boolean | null;
}

/**
 * dueAt and dueAllDay to store. dueAllDay true: 23:59:59 of dueAt's local date (the given one, else
 * the stored one) in the viewer's timezone; dueAt given without it: false; no due date: false
 * (true without one: BAD_USER_INPUT). Undefined: no change.
 */
export function dueOf(
  viewer: Viewer,
  input: DueInput,
  stored: { dueAt: Date | null } | null,
): { dueAt: Date | null; dueAllDay: boolean } | undefined {
  if (input.dueAt === undefined && (input.dueAllDay === undefined || input.dueAllDay === null)) return undefined;
  const dueAt = input.dueAt !== undefined ? input.dueAt : (stored?.dueAt ?? null);
  if (!input.dueAllDay) return { dueAt, dueAllDay: false };
  if (!dueAt) throw new InputError({ dueAllDay: 'An all-day due date needs a due date' });
  const zone = viewer.user.timezone;
  return { dueAt: localInstant(dateInZone(dueAt, zone), 23, 59, 59, zone), dueAllDay: true };
}
