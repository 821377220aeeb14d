/**
 * Canned-response variables: `{{contact.name}}`, `{{agent.firstName}}`, `{{agent.name}}`, `{{case.number}}`,
 * `{{channel.name}}`. Filled on the server for the preview; an unknown variable stays as written and is
 * reported, so the agent sees it before sending.
 */
export const TEMPLATE_VARIABLES = ['contact.name', 'agent.firstName', 'agent.name', 'case.number', 'channel.name'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export type TemplateContext = { contactName: string; agentName: string; caseNumber: string; channelName: string };

export function templateValues(ctx: TemplateContext): Record<TemplateVariable, string> {
  return {
    'contact.name': ctx.contactName,
    'agent.firstName': ctx.agentName.trim().split(/\s+/)[0] ?? ctx.agentName,
    'agent.name': ctx.agentName,
    'case.number': ctx.caseNumber,
    'channel.name': ctx.channelName,
  };
}

export function fillTemplate(body: string, ctx: TemplateContext): { text: string; unknown: string[] } {
  const values: Record<string, string> = templateValues(ctx);
  const unknown = new Set<string>();
  // One pass: a value that itself contains {{…}} (e.g. a contact's name) is never expanded again.
  const text = body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      unknown.add(name);
      return whole;
    }
    return value;
  });
  return { text, unknown: [...unknown] };
}
