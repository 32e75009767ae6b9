import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { areas, projectSections, projects, users } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { DenseOrder } from '../../shared/dense-order.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import { checkColor } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { checkName, ownProject } from './project.service.js';
import type { AreaRow, SectionRow } from './project.type.js';

export const MAX_SECTIONS = 50;
export const MAX_AREAS = 50;

const sectionOrder = new DenseOrder(projectSections, projectSections.position);
const areaOrder = new DenseOrder(areas, areas.position);
const inProject = (id: string) => eq(projectSections.projectId, id);
const ofOwner = (id: string) => eq(areas.ownerId, id);

function checked(name: string | null | undefined, given: boolean, color?: string | null, position?: number | null) {
  const p = new FieldProblems();
  checkName(p, name, given);
  checkColor(p, color);
  if (position != null) p.check(position >= 0, 'position', 'Position must be 0 or more');
  p.throwIfAny();
}

/** A project's sections and the viewer's areas: dense positions, owner only. */
export class ProjectStructureService {
  constructor(private readonly app: App) {}

  areas(viewer: Viewer): Promise<AreaRow[]> {
    return this.app.db.select().from(areas).where(ofOwner(viewer.userId)).orderBy(asc(areas.position), asc(areas.id));
  }

  async createSection(viewer: Viewer, projectId: string, name: string, position?: number | null): Promise<SectionRow> {
    checked(name, true, null, position);
    return this.app.db.transaction(async (tx) => {
      const project = await ownProject(tx, viewer, projectId, true);
      const end = await sectionOrder.next(tx, inProject(project.id));
      if (end >= MAX_SECTIONS) throw new InputError({ name: `At most ${MAX_SECTIONS} sections in a project` });
      const [row] = await tx
        .insert(projectSections)
        .values({ projectId: project.id, name: name.trim(), position: end })
        .returning();
      if (position == null || position >= end) return row!;
      const to = await sectionOrder.move(tx, inProject(project.id), end, position);
      const [moved] = await tx
        .update(projectSections)
        .set({ position: to })
        .where(eq(projectSections.id, row!.id))
        .returning();
      return moved!;
    });
  }

  async updateSection(viewer: Viewer, id: string, name?: string | null, position?: number | null) {
    checked(name, name !== undefined, null, position);
    return this.app.db.transaction(async (tx) => {
      const section = await this.ownSection(tx, viewer, id);
      const changes: Partial<SectionRow> = {};
      if (name) changes.name = name.trim();
      if (position != null)
        changes.position = await sectionOrder.move(tx, inProject(section.projectId), section.position, position);
      if (Object.keys(changes).length === 0) return section;
      const [row] = await tx.update(projectSections).set(changes).where(eq(projectSections.id, section.id)).returning();
      return row!;
    });
  }

  /** Its tasks stay in the project, without section. */
  async deleteSection(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const section = await this.ownSection(tx, viewer, id);
      await tx.delete(projectSections).where(eq(projectSections.id, section.id));
      await sectionOrder.close(tx, inProject(section.projectId), section.position);
      return section.id;
    });
  }

  async createArea(viewer: Viewer, name: string, color?: string | null): Promise<AreaRow> {
    checked(name, true, color);
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const position = await areaOrder.next(tx, ofOwner(viewer.userId));
      if (position >= MAX_AREAS) throw new InputError({ name: `At most ${MAX_AREAS} areas` });
      const [row] = await tx
        .insert(areas)
        .values({ ownerId: viewer.userId, name: name.trim(), color: color ?? null, position })
        .returning();
      return row!;
    });
  }

  async updateArea(
    viewer: Viewer,
    id: string,
    input: { name?: string | null; color?: string | null; position?: number | null },
  ) {
    checked(input.name, input.name !== undefined, input.color, input.position);
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const area = await this.ownArea(tx, viewer, id);
      const changes: Partial<AreaRow> = { updatedAt: new Date() };
      if (input.name) changes.name = input.name.trim();
      if (input.color !== undefined) changes.color = input.color;
      if (input.position != null)
        changes.position = await areaOrder.move(tx, ofOwner(viewer.userId), area.position, input.position);
      const [row] = await tx.update(areas).set(changes).where(eq(areas.id, area.id)).returning();
      return row!;
    });
  }

  /** Its projects stay, without area. */
  async deleteArea(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const area = await this.ownArea(tx, viewer, id);
      await tx.delete(areas).where(eq(areas.id, area.id));
      await areaOrder.close(tx, ofOwner(viewer.userId), area.position);
      return area.id;
    });
  }

  /** The section, its project locked (which serialises the section order); NOT_FOUND unless the viewer's. */
  private async ownSection(tx: Tx, viewer: Viewer, id: string): Promise<SectionRow> {
    const [sectionId] = validIds([id]);
    const [row] = sectionId
      ? await tx
          .select({ section: projectSections })
          .from(projectSections)
          .innerJoin(projects, eq(projects.id, projectSections.projectId))
          .where(and(eq(projectSections.id, sectionId), eq(projects.ownerId, viewer.userId)))
      : [];
    if (!row) throw new NotFoundError('Project section');
    await ownProject(tx, viewer, row.section.projectId, true);
    const [fresh] = await tx.select().from(projectSections).where(eq(projectSections.id, row.section.id));
    if (!fresh) throw new NotFoundError('Project section');
    return fresh;
  }

  private async ownArea(tx: Tx, viewer: Viewer, id: string): Promise<AreaRow> {
    const [areaId] = validIds([id]);
    const [row] = areaId
      ? await tx
          .select()
          .from(areas)
          .where(and(eq(areas.id, areaId), ofOwner(viewer.userId)))
      : [];
    if (!row) throw new NotFoundError('Area');
    return row;
  }

  private async lockOwner(tx: Tx, viewer: Viewer) {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
  }
}
