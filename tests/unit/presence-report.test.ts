// A tab's report is checked by the one schema (lib/shared/presence.ts); its delivery samples by one
// check over the list rather than a zod object each, which must refuse everything the objects did.
import { describe, expect, it } from 'vitest';
import { MAX_DELIVERIES, presenceReportSchema } from '@/lib/shared/presence';
import { fieldErrorsOf } from '@/lib/shared/validation';

const report = (deliveries: unknown) => ({ tab: crypto.randomUUID(), transport: 'sse', editing: null, deliveries });
const sample = { eventId: 12, atMs: 1_765_000_000_000 };

describe("a report's delivery samples", () => {
  it(`takes up to ${MAX_DELIVERIES} samples of { eventId, atMs }, whole numbers above 0`, () => {
    const parsed = presenceReportSchema.safeParse(report(Array.from({ length: MAX_DELIVERIES }, (_, i) => ({ eventId: i + 1, atMs: sample.atMs + i }))));
    expect(parsed.success && parsed.data.deliveries?.[49]).toEqual({ eventId: 50, atMs: sample.atMs + 49 });
    expect(presenceReportSchema.safeParse(report([])).success).toBe(true);
    expect(presenceReportSchema.safeParse({ ...report(undefined), deliveries: undefined }).success).toBe(true);
    expect(presenceReportSchema.safeParse(report([{ eventId: Number.MAX_SAFE_INTEGER, atMs: 1 }])).success).toBe(true);
  });

  it.each([
    ['too many', Array.from({ length: MAX_DELIVERIES + 1 }, () => sample)],
    ['not a list', sample],
    ['a sample that is not an object', [sample, 12]],
    ['null', [null]],
    ['a list for a sample', [[12, sample.atMs]]],
    ['a field missing', [{ eventId: 12 }]],
    ['a field more', [{ ...sample, appliedAt: 3 }]],
    ['__proto__ as a field', [JSON.parse(`{"eventId":12,"atMs":${sample.atMs},"__proto__":{"x":1}}`)]],
    ['a time that is no whole number', [{ ...sample, atMs: sample.atMs + 0.5 }]],
    ['a time of 0', [{ ...sample, atMs: 0 }]],
    ['a negative event', [{ ...sample, eventId: -1 }]],
    ['an event past MAX_SAFE_INTEGER', [{ ...sample, eventId: 2 ** 53 }]],
    ['a number as text', [{ ...sample, eventId: '12' }]],
  ])('refuses %s, naming the field and why', (_, deliveries) => {
    const parsed = presenceReportSchema.safeParse(report(deliveries));
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(fieldErrorsOf(parsed.error).deliveries).toEqual([`deliveries must be at most ${MAX_DELIVERIES} samples, each exactly { eventId, atMs }, whole numbers above 0`]);
  });
});
