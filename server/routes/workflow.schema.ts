/** Bodies of the workflow endpoints (the console and the API share them). */
import { z } from 'zod';

const version = z.iso.datetime({ offset: true }).optional();

export const assignBody = z.object({
  assigneeId: z.uuid().nullable(),
  teamId: z.uuid().nullable().optional(),
  version,
});

export const statusBody = z.object({
  status: z.string(),
  reason: z.string().optional(),
  remindAt: z.string().optional(),
  version,
});

export const noteBody = z.object({ text: z.string() });
export const tagsBody = z.object({ add: z.array(z.string()).default([]), remove: z.array(z.string()).default([]) });
export const priorityBody = z.object({ priority: z.string() });
