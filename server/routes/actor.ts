/** Who acts in a request, as the domain's commands take it: the audit actor (with the IP), the role, the user. */
import type { Request } from 'express';
import { userActor } from '../domain/audit/actor';

export function actingUser(req: Request) {
  const user = req.user!;
  return { actor: userActor(user, req.ip), role: user.role, user };
}
