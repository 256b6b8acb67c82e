// OpenTelemetry traces (docs/deploy.md, "Tracing"): with OTEL_EXPORTER_OTLP_ENDPOINT set, a user
// write reaches an OTLP/HTTP receiver as one span under Next.js's span for the request, its steps
// as children in order; without it, nothing is exported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, listUsers, patchUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { type OtlpReceiver, type ReceivedSpan, SPAN_KIND_SERVER, startOtlpReceiver } from '../support/otlp';
import { SERVES, startServer, type TestServer } from '../support/server';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const STEPS = ['validate', 'transaction', 'ring', 'fan-out'];
/** Spans are exported every 200 ms here (5 s by default). */
const EXPORT_ENV = { OTEL_BSP_SCHEDULE_DELAY: '200' };

const byTime = (a: ReceivedSpan, b: ReceivedSpan) => Number(a.start - b.start || a.end - b.end);

const childrenOf = (receiver: OtlpReceiver, parent: ReceivedSpan) => receiver.spans.filter((span) => span.parentSpanId === parent.spanId).sort(byTime);

/** The span's ancestors as received, nearest first. */
function ancestorsOf(receiver: OtlpReceiver, span: ReceivedSpan): ReceivedSpan[] {
  const parent = receiver.spans.find((candidate) => candidate.spanId === span.parentSpanId);
  return parent ? [parent, ...ancestorsOf(receiver, parent)] : [];
}

/**
 * The write span `name` whose transaction recorded `userId`'s change, once it, its steps and its
 * ancestors up to the request's root span have arrived (or 5 s have passed): the request's spans
 * end, and so are exported, after the write's.
 */
async function writeSpan(receiver: OtlpReceiver, name: string, userId: number): Promise<ReceivedSpan | undefined> {
  const find = async () => {
    const parents = new Set(receiver.spans.filter((span) => span.name === 'transaction' && span.attributes['roster.user.id'] === userId).map((span) => span.parentSpanId));
    return receiver.spans.find((span) => parents.has(span.spanId) && span.name === name);
  };
  const arrived = (write: ReceivedSpan) => childrenOf(receiver, write).length >= STEPS.length && ancestorsOf(receiver, write).at(-1)?.parentSpanId === '';
  return eventually(find, (write) => write !== undefined && arrived(write));
}

describe.each(SERVES)('tracing with OTEL_EXPORTER_OTLP_ENDPOINT (%s)', (serve) => {
  let receiver: OtlpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    server = await startServer({ serve, env: { ...EXPORT_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('exports POST /api/users as roster.user.create: validate, transaction, ring, fan-out in order, one trace, under the request', async () => {
    const stream = await SseClient.connect(`${server.url}/events`);
    try {
      expect((await stream.next()).event).toBe('connected');
      const user = await createUser(server.url, 'Traced Ada');

      const write = await writeSpan(receiver, 'roster.user.create', user.id);
      expect(write, `no roster.user.create span for user ${user.id}; received: ${receiver.spans.map((span) => span.name).join(', ')}`).toBeDefined();
      if (!write) return;
      const steps = childrenOf(receiver, write);
      expect(steps.map((span) => span.name)).toEqual(STEPS);
      const [validate, transaction, ring, fanOut] = steps as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan];

      // One trace, each step inside the write and after the one before it.
      for (const step of steps) {
        expect(step.traceId).toBe(write.traceId);
        expect(step.start).toBeGreaterThanOrEqual(write.start);
        expect(step.end).toBeLessThanOrEqual(write.end);
        expect(step.statusCode).not.toBe(2);
      }
      expect(validate.end).toBeLessThanOrEqual(transaction.start);
      expect(transaction.end).toBeLessThanOrEqual(ring.start);
      // The bell is not awaited: this instance's read starts while it is on its way.
      expect(ring.start).toBeLessThanOrEqual(fanOut.start);

      // The fan-out delivered this write's event to the open stream.
      expect(transaction.attributes['roster.event.type']).toBe('user_created');
      expect(fanOut.attributes['roster.event.id']).toBe(transaction.attributes['roster.event.id']);
      expect(fanOut.attributes['roster.events']).toBe(1);
      expect(fanOut.attributes['roster.streams']).toBeGreaterThanOrEqual(1);
      expect((await stream.next()).event).toBe('user_created');

      // Under Next.js's span for the request, in the same trace, named by its service.
      const ancestors = ancestorsOf(receiver, write);
      expect(ancestors.length).toBeGreaterThan(0);
      for (const ancestor of ancestors) expect(ancestor.traceId).toBe(write.traceId);
      expect(ancestors.at(-1)).toMatchObject({ kind: SPAN_KIND_SERVER, parentSpanId: '' });
      expect(ancestors.some((span) => span.kind === SPAN_KIND_SERVER && span.attributes['http.route'] === '/api/users')).toBe(true);
      expect(write.resource['service.name']).toBe('roster');
      expect(receiver.refused).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it("exports the dashboard's create action the same way, under the page's request", async () => {
    const signedIn = { Cookie: await signIn(server.url) };
    const html = await (await fetch(`${server.url}/`, { headers: signedIn })).text();
    const email = uniqueEmail('traced-form');
    const response = await submitForm(`${server.url}/`, findForm(html, (form) => form.includes('aria-label="Add a user"')), { name: 'Traced Form', email }, { headers: signedIn });
    expect(await response.text()).toContain('Added Traced Form.');
    const user = (await listUsers(server.url)).find((listed) => listed.email === email);

    const write = user && (await writeSpan(receiver, 'roster.user.create', user.id));
    expect(write, `no roster.user.create span for the form's user`).toBeDefined();
    if (!write) return;
    expect(childrenOf(receiver, write).map((span) => span.name)).toEqual(STEPS);
    expect(ancestorsOf(receiver, write).some((span) => span.kind === SPAN_KIND_SERVER && span.attributes['http.target'] === '/')).toBe(true);
  });

  it('exports edits and deletes the same way (roster.user.edit, roster.user.delete)', async () => {
    const user = await createUser(server.url, 'Traced Grace');
    const patched = await patchUser(server.url, user.id, { name: 'Traced Grace Hopper' }, user.version);
    expect(patched.status).toBe(200);
    expect((await patched.json()) as UserDTO).toMatchObject({ version: 2 });
    expect((await deleteUser(server.url, user.id)).status).toBe(204);

    for (const name of ['roster.user.edit', 'roster.user.delete']) {
      const write = await writeSpan(receiver, name, user.id);
      expect(write, `no ${name} span for user ${user.id}`).toBeDefined();
      if (write) expect(childrenOf(receiver, write).map((span) => span.name)).toEqual(STEPS);
    }
  });
});

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts no exporter, though the traces endpoint alone would name a receiver', async () => {
    const receiver = await startOtlpReceiver();
    // The exporter would send to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT if the SDK were started.
    const server = await startServer({ env: { ...EXPORT_ENV, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` } });
    try {
      await createUser(server.url, 'Untraced Ada');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(receiver.spans).toEqual([]);
      expect(receiver.refused).toEqual([]);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});
