// Calling a page's server actions the way a browser's JavaScript does (React's reply encoding:
// `Next-Action: <id>`, the arguments as JSON, a form as multipart fields `_<n>_<name>`), for actions
// only a client component calls (the passkey steps). Their ids are in the page's RSC payload, in the
// order the page passes them to its client components.
import { extractInfoFromServerReferenceId } from 'next/dist/shared/lib/server-reference-info';

/** The two actions of the page's passkey button (its `ceremony` prop: `start`, `finish`), from the page's RSC payload. */
export function passkeyStepsOf(html: string): { start: string; finish: string } {
  // The prop names each action by a row of the payload (`$h<row>`); the row holds its id.
  const [, startRow, finishRow] = /\\"ceremony\\":\{\\"kind\\":\\"\w+\\",\\"start\\":\\"\$h(\w+)\\",\\"finish\\":\\"\$h(\w+)\\"\}/.exec(html) ?? [];
  const idAt = (row: string | undefined) => (row === undefined ? undefined : new RegExp(`(?:^|\\\\n|")${row}:\\{\\\\"id\\\\":\\\\"([0-9a-f]+)\\\\"`).exec(html)?.[1]);
  const [start, finish] = [idAt(startRow), idAt(finishRow)];
  if (!start || !finish) throw new Error('No passkey button on this page');
  return { start, finish };
}

/** Whether the action reads an argument: its first step (no form) or its second (a form). */
export const readsArgument = (id: string) => extractInfoFromServerReferenceId(id).usedArgs.some(Boolean);

export type ActionAnswer<T> = { status: number; value: T | undefined; redirect: string | null; setCookies: string[] };

/** Calls action `id` on `path` with `form` (as FormData) or no arguments; the answer's value is the action's return. */
export async function callAction<T>(baseUrl: string, path: string, id: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<ActionAnswer<T>> {
  let body: string | FormData = '[]';
  if (form) {
    body = new FormData();
    // The form's fields first, the arguments last, as React sends them: the server reads the
    // fields a `$K` reference names from those it has received when the arguments arrive.
    for (const [name, value] of Object.entries(form)) body.append(`_1_${name}`, value);
    body.append('0', JSON.stringify(['$K1']));
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Next-Action': id, Origin: baseUrl, Accept: 'text/x-component', ...(form ? {} : { 'Content-Type': 'text/plain;charset=UTF-8' }), ...headers },
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  // Row 0 of the RSC answer points (`"a": "$@<row>"`) at the row that holds the value; a redirect has none.
  const rows = new Map(text.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
  const head = rows.get('0');
  const pointer = head ? /^\$@([0-9a-f]+)$/.exec(String((JSON.parse(head) as { a?: unknown }).a))?.[1] : undefined;
  const row = pointer === undefined ? undefined : rows.get(pointer);
  return {
    status: response.status,
    value: row ? (JSON.parse(row) as T) : undefined,
    redirect: response.headers.get('x-action-redirect'),
    setCookies: response.headers.getSetCookie(),
  };
}
