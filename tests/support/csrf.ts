/** The CSRF token a rendered console page carries in its forms. */
export const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
