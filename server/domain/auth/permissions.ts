/** What each role may do. Routes ask `can(role, permission)`; nothing else decides access. */
import type { Role } from '../../db/schema';

export type Permission = 'conversation.read' | 'conversation.reply' | 'audit.read' | 'settings.manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  agent: ['conversation.read', 'conversation.reply'],
  manager: ['conversation.read', 'conversation.reply', 'audit.read', 'settings.manage'],
  auditor: ['conversation.read', 'audit.read'],
  admin: ['conversation.read', 'audit.read', 'settings.manage'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
