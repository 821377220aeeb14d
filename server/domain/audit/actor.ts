/** Who did something: a signed-in user, an API channel, or a named part of the system. */
import type { ActorType } from '../../db/schema';

export type Actor = { type: ActorType; id: string | null; label: string; ip?: string | null };

export const systemActor = (component: string): Actor => ({ type: 'system', id: null, label: component });

export const userActor = (user: { id: string; email: string }, ip?: string | null): Actor => ({
  type: 'user',
  id: user.id,
  label: user.email,
  ip: ip ?? null,
});
