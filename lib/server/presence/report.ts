import 'server-only';
import { type Caller, sessionIdOf } from '@/lib/server/auth';
import { recordDeliveries } from '@/lib/server/delivery';
import { RateLimitedError, ValidationError } from '@/lib/server/errors';
import { walksDone } from '@/lib/server/events/slices';
import { browserReporter, type RequestHead } from '@/lib/server/http';
import { type PresenceAnswer, type PresenceReport, presenceReportSchema, REPORT_EVERY_MS } from '@/lib/shared/presence';
import { fieldErrorsOf } from '@/lib/shared/validation';
import { presence, streamCallers } from './index';

// A tab's report (POST /api/presence): it is here (and editing whom), how it is live, and what it
// measured. Limits, per tab, shared by the instances through the tabs they all keep: a report at
// most every second (a tab coalesces what changes faster), delivery samples at most every
// SAMPLES_EVERY_MS, and a person's tabs at most MAX_TABS, so nobody can flood the histogram or the map.

const MIN_GAP_MS = 1_000;
/**
 * Samples at most this often per tab. A tab sends them every REPORT_EVERY_MS (20 s); the bound is
 * half that, so a report that waited on its way (a busy network, a fan-out under way) and the next,
 * on time, are not taken for a flood.
 */
const SAMPLES_EVERY_MS = 10_000;
const MAX_TABS = 50;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1_000));

/** How long a report waits for a fan-out under way to finish, at most. */
const GIVE_WAY_MS = 1_000;

/**
 * A report as it arrives (POST /api/presence): from a signed-in browser of this site, its body
 * (`body`, read once the caller is known) checked by the one schema, then applied. The route and
 * `npm start`'s own handler (lib/server/events/node-server.ts) both answer with this; errors are theirs to send.
 */
export async function receiveReport(request: RequestHead, body: () => unknown): Promise<PresenceAnswer> {
  // Reports can wait a moment; the events every stream is being sent cannot. Its limits count
  // from when it arrived, which is what its tab knows.
  const arrived = Date.now();
  await walksDone(GIVE_WAY_MS);
  // Let in as its stream was, when its session has one open here; looked up (and then held) otherwise.
  const held = streamCallers.get(sessionIdOf(request.headers));
  const caller = await browserReporter(request, held);
  if (!held) streamCallers.keep(caller);
  const report = presenceReportSchema.safeParse(await body());
  if (!report.success) throw new ValidationError(fieldErrorsOf(report.error));
  return applyReport(caller, report.data, arrived);
}

/** Applies a validated report from a signed-in browser; answers who is here now. */
export function applyReport(caller: Caller, report: PresenceReport, now = Date.now()): PresenceAnswer {
  const known = presence.tab(report.tab);
  if (caller.user && known && known.person.id !== caller.user.id) throw new RateLimitedError(60, 'That tab id belongs to another person: make a new one');
  if (known && !report.leaving && now - known.seenAt < MIN_GAP_MS) throw new RateLimitedError(seconds(MIN_GAP_MS - (now - known.seenAt)), 'One report a second per tab at most');
  const sampled = (report.deliveries?.length ?? 0) > 0;
  if (sampled && known?.reportedAt != null && now - known.reportedAt < SAMPLES_EVERY_MS) {
    throw new RateLimitedError(seconds(SAMPLES_EVERY_MS - (now - known.reportedAt)), `Delivery reports: one every ${SAMPLES_EVERY_MS / 1_000} s per tab at most`);
  }
  if (caller.user && !known && presence.tabsOf(caller.user.id) >= MAX_TABS) throw new RateLimitedError(seconds(REPORT_EVERY_MS), `${MAX_TABS} tabs per person at most`);
  // Checked in full before anything is recorded: an impossible sample refuses the whole report.
  if (report.deliveries) recordDeliveries(report.deliveries, report.transport, now);
  // API tokens and an open server (sign-in off) have no person to show.
  if (caller.user) {
    presence.report(
      { tab: report.tab, person: caller.user, session: caller.sessionId, editing: report.editing, transport: report.transport, reportedAt: sampled ? now : (known?.reportedAt ?? null) },
      report.leaving,
    );
  }
  // The server's clock as it answers: the tab measures its offset from it (lib/browser/presence.ts).
  const { people, version } = presence.people();
  return { serverTime: Date.now(), version, ...(report.seen === version ? {} : { people }) };
}
