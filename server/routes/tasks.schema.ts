/** The query of a person's task list (GET /api/v1/tasks, "Meine Aufgaben"). */
import { z } from 'zod';

export const taskListQuery = z.object({
  /** `me` (the default) or a user id; only managers list someone else's tasks */
  assigneeId: z.union([z.literal('me'), z.uuid()]).default('me'),
  state: z.enum(['open', 'done', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
