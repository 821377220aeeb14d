/** Types of static/duration.js (one implementation for the server and the browser). */
export function formatMinutes(minutes: number, locale: string): string;
