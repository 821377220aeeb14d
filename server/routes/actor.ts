/** Who acts in a request, as the domain's commands take it: the audit actor (with the IP), the role, the user. */
import type { Request } from 'express';
import { userActor } from '../domain/audit/actor';

export function actingUser(req: Request) {
  const user = req.user!;
  return { actor: userActor(user, req.ip), role: user.role, user };
}

/** The signed-in person deciding on a reply that waits for approval (domain/replies/decideReply.ts). */
export function approverOf(req: Request) {
  const user = req.user!;
  return { actor: userActor(user, req.ip), approver: { id: user.id, name: user.name, role: user.role, mayApproveReplies: user.mayApproveReplies } };
}
