/** What a stored secret looks like wherever it is shown again (the channels page, the audit, the CLI). */

/** Its last four characters, never more. */
export function maskSecret(secret: string | undefined | null): string {
  if (!secret) return '';
  return secret.length <= 4 ? '••••' : `••••${secret.slice(-4)}`;
}

export function maskCredentials(c: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v)
      .map(([k, v]) => [k, maskSecret(v)]),
  );
}
