import { describe, expect, it } from 'vitest';
import { ACTION_BODY_LIMIT, refuseAction } from '@/lib/server/action-request';

// What proxy.ts lets through to Next.js's action handler. An action's id says which arguments its
// code reads (the first byte: bits 6..1, argument 0 first), so the form must be exactly there.

const id = (infoByte: number) => infoByte.toString(16).padStart(2, '0') + 'a'.repeat(40);
const READS_STATE_AND_FORM = id(0x60); // (previous, formData)
const READS_NOTHING = id(0x00); // signOut()

function post(headers: Record<string, string>, body: BodyInit): Request {
  return new Request('http://roster.test/', { method: 'POST', headers, body });
}

function multipart(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

const statusOf = async (request: Request) => (await refuseAction(request))?.status ?? 'passes';

describe('refuseAction', () => {
  it.each<[string, Request, number | 'passes']>([
    ['a form action as React sends it', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '[{"status":"idle"},"$K1"]', '_1_name': 'Ada' })), 'passes'],
    ['an action that reads nothing, sent []', post({ 'next-action': READS_NOTHING, 'content-type': 'text/plain;charset=UTF-8' }, '[]'), 'passes'],
    ['an escaped $ in the state', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '[{"name":"$$money","at":"$D2026-01-01"},"$K1"]' })), 'passes'],
    ['a page POST that is no action (form-encoded)', post({ 'content-type': 'application/x-www-form-urlencoded' }, 'q=ada'), 'passes'],
    ['text/plain with a plain object where the form goes', post({ 'next-action': READS_STATE_AND_FORM, 'content-type': 'text/plain' }, '[{},{"name":"x"}]'), 400],
    ['null where the form goes', post({ 'next-action': READS_STATE_AND_FORM, 'content-type': 'text/plain' }, '[{},null]'), 400],
    ['the form in the wrong place', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '["$K1"]' })), 400],
    ['an extra argument', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '[{},"$K1","$K1"]' })), 400],
    ['a reference React would resolve', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '[{"a":"$Q2"},"$K1"]' })), 400],
    ['JSON that does not parse', post({ 'next-action': READS_STATE_AND_FORM }, multipart({ 0: '[{' })), 400],
    ['a multipart body that does not parse', post({ 'next-action': READS_STATE_AND_FORM, 'content-type': 'multipart/form-data; boundary=x' }, 'garbage'), 400],
    ['a no-JavaScript form with one bound state', post({}, multipart({ $ACTION_REF_1: '', '$ACTION_1:0': JSON.stringify({ id: READS_STATE_AND_FORM, bound: '$@1' }), '$ACTION_1:1': '[{}]' })), 'passes'],
    ['a no-JavaScript form with an extra bound argument', post({}, multipart({ $ACTION_REF_1: '', '$ACTION_1:0': JSON.stringify({ id: READS_STATE_AND_FORM, bound: '$@1' }), '$ACTION_1:1': '[{},{"a":1}]' })), 400],
    ['a no-JavaScript form whose bound state does not parse', post({}, multipart({ $ACTION_REF_1: '', '$ACTION_1:0': JSON.stringify({ id: READS_STATE_AND_FORM, bound: '$@1' }), '$ACTION_1:1': '{' })), 400],
    ['a no-JavaScript form naming an action that reads its second argument directly', post({}, multipart({ [`$ACTION_ID_${READS_STATE_AND_FORM}`]: '' })), 400],
    ['a body over the limit, by its length', post({ 'next-action': READS_NOTHING, 'content-type': 'text/plain', 'content-length': String(ACTION_BODY_LIMIT + 1) }, '[]'), 413],
    ['a body over the limit, as it arrives', post({ 'next-action': READS_NOTHING, 'content-type': 'text/plain' }, `["${'x'.repeat(ACTION_BODY_LIMIT)}"]`), 413],
  ])('%s: %s', async (_case, request, status) => {
    expect(await statusOf(request)).toBe(status);
  });

  it('leaves an id that names no action of this kind to Next.js (it answers those itself)', async () => {
    expect(await statusOf(post({ 'next-action': 'not-an-action', 'content-type': 'text/plain' }, '[{'))).toBe('passes');
  });
});
