// Just enough HTML reading to submit the dashboard's forms the way a browser without JavaScript
// does: server actions put their ids in hidden inputs, and the form posts them back to the page.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole);
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name.replace(/[$]/g, '\\$')}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

/** Every <form>…</form> in the page, as HTML. */
export function forms(html: string): string[] {
  return html.match(/<form\b[\s\S]*?<\/form>/g) ?? [];
}

/** The first form for which `test` holds; fails with the forms it saw otherwise. */
export function findForm(html: string, test: (form: string) => boolean): string {
  const all = forms(html);
  const form = all.find(test);
  if (!form) throw new Error(`No matching form among ${all.length}:\n${all.join('\n')}`);
  return form;
}

/** The name/value pairs a browser would submit for the form's hidden inputs. */
export function hiddenFields(form: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (attribute(tag, 'type') === 'hidden' && name !== undefined) fields.push([name, attribute(tag, 'value') ?? '']);
  }
  return fields;
}

export type SubmitOptions = {
  /** Sent with the form, e.g. the session `Cookie`, an `Origin`, an `X-Forwarded-For`. */
  headers?: Record<string, string>;
  /** 'manual' to see a redirect (and its Set-Cookie) rather than where it leads. */
  redirect?: RequestRedirect;
};

/** Submits the form as multipart/form-data to the page, with `values` for its visible fields (a list: a field sent once per value, as checkboxes are). */
export async function submitForm(
  pageUrl: string,
  form: string,
  values: Record<string, string | string[]> = {},
  { headers = {}, redirect = 'follow' }: SubmitOptions = {},
): Promise<Response> {
  const method = attribute(form.slice(0, form.indexOf('>') + 1), 'method');
  if (method !== 'POST') throw new Error(`The form would be sent with ${method ?? 'GET'}, not as a server action`);
  const body = new FormData();
  for (const [name, value] of hiddenFields(form)) body.append(name, value);
  for (const [name, value] of Object.entries(values)) for (const one of [value].flat()) body.append(name, one);
  return fetch(pageUrl, { method: 'POST', body, headers, redirect });
}
