/** Node's arguments before the script of a role's process (server/nodeArgs.cjs). */
export function nodeArgs(role: 'web' | 'worker' | 'all'): string[];
/** The allocator setting for the environment of a launched role process (server/nodeArgs.cjs). */
export const ALLOCATOR_ENV: { MALLOC_ARENA_MAX: string };
