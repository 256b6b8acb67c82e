import 'server-only';
import { extractInfoFromServerReferenceId, mightBeServerReferenceId } from 'next/dist/shared/lib/server-reference-info';

// What proxy.ts checks of a POST to a page (a server action) before Next.js decodes it: Next.js
// answers 500 to a body it cannot decode, or one too large, and to an action whose arguments are
// not what its code reads. Every action of Roster reads at most one argument, the form (FormData),
// and takes it last; which arguments an action reads is in its id (Next.js's "server reference
// info" byte: the browser leaves out the ones it does not read), so the proxy knows where the form
// must be without knowing the action.
//
// The shapes are React's reply encoding (react-server-dom `encodeReply` / `decodeAction`): a fetch
// action (`Next-Action: <id>`) sends the JSON array of arguments as a text/plain body, or, with a
// form among them, as field `0` of a multipart body, the form standing as `"$K<n>"`; a form posted
// without JavaScript names its action in `$ACTION_ID_<id>` (the form is argument 0), or in
// `$ACTION_REF_<n>` with `$ACTION_<n>:0` ({id, bound}) and the bound arguments in `$ACTION_<n>:1`
// (the form comes after them). Strings beginning with `$` are references React would resolve; only
// those a form's state holds are let through (an escaped `$$…`, `$undefined`, numbers JSON cannot
// say, dates), so nothing reaches a decoder that could throw.

/** Next.js's default for server actions (`serverActions.bodySizeLimit`). */
export const ACTION_BODY_LIMIT = 1024 * 1024;

export type Refusal = { status: 400 | 413; error: string };

const PLAIN_VALUE = /^\$(?:\$|undefined$|NaN$|-?Infinity$|-0$|D)/;
const FORM_REFERENCE = /^\$K[0-9a-f]{1,8}$/;

/** Whether a decoded JSON value holds only what a form's state can: no reference to resolve. */
function plain(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === 'string') return !value.startsWith('$') || PLAIN_VALUE.test(value);
  if (Array.isArray(value)) return value.every((item) => plain(item, depth + 1));
  if (value !== null && typeof value === 'object') return Object.values(value).every((item) => plain(item, depth + 1));
  return true;
}

function parse(text: FormDataEntryValue | null | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The index of the last argument the action reads (-1: none), or undefined for an id that names no
 * action of this build's kind (Next.js answers those itself, without running anything).
 */
function lastReadArgument(actionId: unknown): number | undefined {
  if (typeof actionId !== 'string' || !mightBeServerReferenceId(actionId) || !/^[0-9a-f]+$/.test(actionId)) return undefined;
  const { usedArgs, hasRestArgs } = extractInfoFromServerReferenceId(actionId);
  return hasRestArgs ? undefined : usedArgs.lastIndexOf(true);
}

/** A fetch action's arguments: plain values, with the form exactly where the action reads it. */
function fetchActionArgs(args: unknown, formAt: number): boolean {
  if (!Array.isArray(args) || args.length > 6) return false;
  if (formAt === -1) return plain(args);
  return args.length === formAt + 1 && typeof args[formAt] === 'string' && FORM_REFERENCE.test(args[formAt]) && plain(args.slice(0, formAt));
}

/** A form posted without JavaScript: the action it names, plain bound arguments, and the form after them where the action reads it. */
function formPostArgs(body: FormData): boolean {
  for (const name of body.keys()) {
    const byId = /^\$ACTION_ID_(.+)$/.exec(name)?.[1];
    if (byId !== undefined) {
      const formAt = lastReadArgument(byId);
      if (formAt !== undefined && formAt > 0) return false;
      continue;
    }
    const ref = /^\$ACTION_REF_(\d{1,4})$/.exec(name)?.[1];
    if (ref === undefined) continue;
    const action = parse(body.get(`$ACTION_${ref}:0`));
    if (action === null || typeof action !== 'object') return false;
    const { id, bound } = action as { id?: unknown; bound?: unknown };
    if (typeof id !== 'string') return false;
    let args: unknown[] = [];
    if (bound !== undefined && bound !== null) {
      const parsed = parse(body.get(`$ACTION_${ref}:1`));
      if (bound !== '$@1' || !Array.isArray(parsed) || parsed.length > 5 || !plain(parsed)) return false;
      args = parsed;
    }
    const formAt = lastReadArgument(id);
    if (formAt !== undefined && formAt !== -1 && formAt !== args.length) return false;
  }
  return true;
}

/** Reads at most `limit` bytes of a body; null when there are more. */
async function readCapped(request: Request, limit: number): Promise<Uint8Array[] | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader?.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  return chunks;
}

/**
 * Why a POST to a page must not reach Next.js's action handler, or null when it may. Reads at most
 * ACTION_BODY_LIMIT bytes of the body: the proxy's own copy (Next.js buffers the body for the
 * handler apart from it; a `clone()` here would tee it and stall a body that goes past the limit).
 */
export async function refuseAction(request: Request): Promise<Refusal | null> {
  const tooLarge: Refusal = { status: 413, error: `Request body must be at most ${ACTION_BODY_LIMIT} bytes` };
  if (Number(request.headers.get('content-length') ?? 0) > ACTION_BODY_LIMIT) return tooLarge;
  const actionId = request.headers.get('next-action');
  const contentType = request.headers.get('content-type') ?? '';
  const multipart = contentType.startsWith('multipart/form-data');
  if (actionId === null && !multipart) return null; // not an action: Next.js renders the page
  const chunks = await readCapped(request, ACTION_BODY_LIMIT);
  if (chunks === null) return tooLarge;
  const malformed: Refusal = { status: 400, error: 'Malformed form submission' };
  const body = new Blob(chunks as BlobPart[]);
  if (actionId !== null) {
    const formAt = lastReadArgument(actionId);
    if (formAt === undefined) return null;
    const args = multipart ? await formField(body, contentType, '0') : parse(await body.text());
    return fetchActionArgs(args, formAt) ? null : malformed;
  }
  try {
    return formPostArgs(await new Response(body, { headers: { 'content-type': contentType } }).formData()) ? null : malformed;
  } catch {
    return malformed;
  }
}

/** One field of a multipart body, parsed as JSON (undefined when the body or the field is not). */
async function formField(body: Blob, contentType: string, name: string): Promise<unknown> {
  try {
    return parse((await new Response(body, { headers: { 'content-type': contentType } }).formData()).get(name));
  } catch {
    return undefined;
  }
}
