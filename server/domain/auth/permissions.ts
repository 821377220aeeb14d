/** What each role may do. Routes ask `can(role, permission)`; nothing else decides access. */
import type { Role } from '../../db/schema';

export type Permission =
  | 'conversation.read'
  | 'conversation.reply'
  | 'audit.read'
  | 'settings.manage'
  | 'conversation.work'
  | 'canned.manage'
  | 'reports.read'
  | 'users.manage'
  | 'privacy.manage'
  | 'knowledge.manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  agent: ['conversation.read', 'conversation.reply', 'conversation.work'],
  manager: [
    'conversation.read',
    'conversation.reply',
    'audit.read',
    'settings.manage',
    'conversation.work',
    'canned.manage',
    'reports.read',
    'privacy.manage',
    'knowledge.manage',
  ],
  auditor: ['conversation.read', 'audit.read', 'reports.read'],
  admin: ['conversation.read', 'audit.read', 'settings.manage', 'reports.read', 'users.manage', 'privacy.manage'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
