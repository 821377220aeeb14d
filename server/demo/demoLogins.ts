/** The demo staff: one user per role, with passwords that are documented on purpose (demo data only). */
import type { Locale, Role } from '../db/schema';

export type DemoLogin = { role: Role; name: string; email: string; password: string; locale: Locale };

export const DEMO_LOGINS: readonly DemoLogin[] = [
  { role: 'agent', name: 'Lena Vogt', email: 'agent@demo.replyline.test', password: 'demo-agent-2026', locale: 'de' },
  { role: 'manager', name: 'Jonas Berger', email: 'manager@demo.replyline.test', password: 'demo-manager-2026', locale: 'de' },
  { role: 'auditor', name: 'Miriam Kaya', email: 'auditor@demo.replyline.test', password: 'demo-auditor-2026', locale: 'en' },
  { role: 'admin', name: 'Tom Richter', email: 'admin@demo.replyline.test', password: 'demo-admin-2026', locale: 'en' },
];
