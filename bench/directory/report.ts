// What a database's run measured, and its markdown table next to the targets.
import os from 'node:os';
import { summarize } from '../stats';
import { type Api } from './api';
import { CREATES, SAMPLES, seedTarget, TARGETS, f } from './config';
import { type Consistency } from './consistency';
import { type CreateVisible } from './create-visible';
import { type Kind } from './database';
import { type FirstPage } from './first-page';
import { type Sampled } from './http';
import { type Delivery } from './delivery';
import { type Dashboards } from './live-dashboards';

export type Result = {
  database: Kind;
  users: number;
  seedSeconds: number;
  /** The machine's 1-minute load average when the measurements began and ended (other work skews them). */
  loadAverage: { start: number; end: number };
  firstPage?: FirstPage;
  api?: Api;
  createVisible?: CreateVisible;
  dashboards?: Dashboards;
  consistency?: Consistency;
  delivery?: Delivery;
  /** Parts that stopped with an error (the others still ran), or the start that failed. */
  errors: string[];
};

export const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'yes' : '**no**');
export const atMost = (value: number | undefined, target: number) => (value === undefined || !Number.isFinite(value) ? undefined : value <= target);
export const navP50 = (page: FirstPage | undefined, key: 'domContentLoadedMs' | 'streamCreatedMs' | 'streamOpenMs') =>
  f(page ? summarize(page.navigation.map((n) => n[key] ?? Number.NaN).filter(Number.isFinite)).p50 : undefined);
export const worst = (list: Sampled[] | undefined) => list?.reduce<Sampled | undefined>((a, b) => (a && a.summary.p95 >= b.summary.p95 ? a : b), undefined);

export function table(result: Result): string {
  const { firstPage: page, api: calls, createVisible: creates, dashboards, consistency, delivery } = result;
  const agreement = delivery ? Math.abs(delivery.screens.p99 - delivery.bench.p99) : undefined;
  const sort = worst(calls?.sorts);
  const search = worst(calls?.searches);
  const kb = page ? page.htmlBytes / 1024 : undefined;
  const equal = dashboards?.afterMixed.filter((c) => c.equal).length;
  const equalOutside = dashboards?.afterOutside.filter((c) => c.equal).length;
  const outsideRequests = dashboards?.perDashboard.reduce((sum, d) => sum + d.apiOutside, 0);
  const untouched = dashboards?.perDashboard.filter((d) => d.touchedMixed === 0);
  const untouchedRequests = untouched?.reduce((sum, d) => sum + d.apiMixed, 0);
  const rows: [string, string, string, boolean | undefined][] = [
    [`Seed ${result.users.toLocaleString('en-US')} users (db:seed, the whole command)`, `${f(result.seedSeconds, 1)} s`, `≤ ${seedTarget(result.users)} s`, atMost(result.seedSeconds, seedTarget(result.users))],
    [
      'Dashboard HTML, first page (gzip)',
      page ? `${f(kb, 1)} KB (${f(page.htmlGzipBytes / 1024, 1)} KB), ${page.htmlRows} rows; table body ${f(page.htmlTableBodyBytes / 1024, 1)} KB, inline scripts ${f(page.htmlInlineScriptBytes / 1024, 1)} KB` : '–', `≤ ${TARGETS.htmlKb} KB`, atMost(kb, TARGETS.htmlKb)],
    [`Dashboard server time p95 (${SAMPLES} GETs of /, last byte)`, `${f(page?.server.summary.p95, 1)} ms (p50 ${f(page?.server.summary.p50, 1)})`, `≤ ${TARGETS.serverP95Ms} ms`, atMost(page?.server.summary.p95, TARGETS.serverP95Ms)],
    [`Navigation → “Connected (SSE)” p95 (${page?.connectedMs.count ?? 0} fresh loads)`, `${f(page?.connectedMs.p95)} ms (p50 ${f(page?.connectedMs.p50)}; p50 DOMContentLoaded ${navP50(page, 'domContentLoadedMs')}, stream opened ${navP50(page, 'streamCreatedMs')}, answered ${navP50(page, 'streamOpenMs')})`, `≤ ${TARGETS.connectedP95Ms} ms`, atMost(page?.connectedMs.p95, TARGETS.connectedP95Ms)],
    ['JS heap after load, max (after GC)', `${f(page?.heapMb.afterLoad.max, 1)} MB (${f(page?.heapMb.afterGc.max, 1)} MB)`, `≤ ${TARGETS.heapMb} MB`, atMost(page?.heapMb.afterLoad.max, TARGETS.heapMb)],
    [`GET /api/users by sort p95, worst of 6 (${sort?.label ?? '–'})`, `${f(sort?.summary.p95, 1)} ms`, `≤ ${TARGETS.sortP95Ms} ms`, atMost(sort?.summary.p95, TARGETS.sortP95Ms)],
    [`GET /api/users search p95, worst of ${calls?.searches.length ?? 0} (${search?.label ?? '–'})`, `${f(search?.summary.p95, 1)} ms`, `≤ ${TARGETS.searchP95Ms} ms`, atMost(search?.summary.p95, TARGETS.searchP95Ms)],
    ['GET /api/users 304 (If-None-Match) p95', `${f(calls?.notModified.summary.p95, 2)} ms`, `≤ ${TARGETS.notModifiedP95Ms} ms`, atMost(calls?.notModified.summary.p95, TARGETS.notModifiedP95Ms)],
    [
      `Create (API) → row in another browser p95 (${creates?.latencyMs.count ?? 0} of ${CREATES})`,
      `${f(creates?.latencyMs.p95, 1)} ms (p50 ${f(creates?.latencyMs.p50, 1)})`,
      `≤ ${TARGETS.createVisibleP95Ms} ms`,
      creates ? creates.missed === 0 && (atMost(creates.latencyMs.p95, TARGETS.createVisibleP95Ms) ?? false) : undefined,
    ],
    ['Dashboards equal to the server after 25 far-off events', dashboards ? `${equalOutside}/${dashboards.opened}` : '–', '20/20', dashboards ? equalOutside === 20 : undefined],
    ['Dashboards equal to the server after all 50 events', dashboards ? `${equal}/${dashboards.opened}` : '–', '20/20', dashboards ? equal === 20 : undefined],
    ['/api/users requests during the 25 far-off events (all dashboards)', f(outsideRequests), '0', dashboards ? outsideRequests === 0 : undefined],
    [`/api/users requests during the mixed events, dashboards none touched (${untouched?.length ?? 0})`, f(untouchedRequests), '0', dashboards ? untouchedRequests === 0 : undefined],
    [
      `API pages counting a create whose event is past their lastEventId (${consistency?.reads ?? 0} reads during ${consistency?.writes ?? 0} creates)`,
      consistency ? `${consistency.ahead} (behind: ${consistency.behind})` : '–',
      '0',
      consistency ? consistency.ahead === 0 && consistency.behind === 0 : undefined,
    ],
    [
      `Delivery p99 as 20 screens report it (${delivery?.screens.samples ?? 0} samples) vs the bench's own commit → row (${delivery?.bench.count ?? 0})`,
      delivery ? `${f(delivery.screens.p99, 1)} ms vs ${f(delivery.bench.p99, 1)} ms (p50 ${f(delivery.screens.p50, 1)} vs ${f(delivery.bench.p50, 1)}; missed ${delivery.missed})` : '–',
      'within 50 ms',
      delivery ? delivery.missed === 0 && (atMost(agreement, 50) ?? false) : undefined,
    ],
  ];
  const lines = [
    `### ${result.database}, ${result.users.toLocaleString('en-US')} users`,
    '',
    `Load average (1 min) ${f(result.loadAverage.start, 1)} at the start, ${f(result.loadAverage.end, 1)} at the end, on ${os.cpus().length} CPUs.`,
    '',
    '| measure | result | target | met |',
    '| --- | ---: | ---: | :---: |',
    ...rows.map(([measure, value, target, ok]) => `| ${measure} | ${value} | ${target} | ${verdict(ok)} |`),
  ];
  if (calls) {
    lines.push('', '| GET /api/users | p50 ms | p95 ms | max ms |', '| --- | ---: | ---: | ---: |');
    for (const s of [...calls.sorts, ...calls.searches, calls.notModified]) lines.push(`| ${s.label} | ${f(s.summary.p50, 1)} | ${f(s.summary.p95, 1)} | ${f(s.summary.max, 1)} |`);
  }
  if (dashboards) {
    lines.push('', '| dashboard | /api/users during far-off events | during mixed events | events touching its rows | equal after all |', '| --- | ---: | ---: | ---: | :---: |');
    dashboards.perDashboard.forEach((d, i) => lines.push(`| ${d.label} | ${d.apiOutside} | ${d.apiMixed} | ${d.touchedMixed} | ${verdict(dashboards.afterMixed[i]?.equal)} |`));
    const unequal = [...dashboards.afterOutside.map((c) => ({ ...c, when: 'after far-off events' })), ...dashboards.afterMixed.map((c) => ({ ...c, when: 'after all events' })), ...dashboards.later.map((c) => ({ ...c, when: '5 s later' }))].filter((c) => !c.equal);
    if (unequal.length) lines.push('', 'Dashboards not equal to the server:', ...unequal.map((c) => `- ${c.when}, ${c.label} (${dashboards.perDashboard.find((d) => d.label === c.label)?.url ?? ''}): ${c.difference}`));
    const other = dashboards.perDashboard.filter((d) => d.other.length);
    if (other.length) lines.push('', 'Other requests by dashboards during the events:', ...other.map((d) => `- ${d.label}: ${d.other.slice(0, 5).join(', ')}${d.other.length > 5 ? ` … (${d.other.length})` : ''}`));
  }
  if (consistency?.examples.length) {
    lines.push('', 'Pages not matching the events they claim (a dashboard replaying the later events on such a page counts them twice in its total):', ...consistency.examples.map((e) => `- ${e}`));
  }
  const problems = [
    ...(page?.problems ?? []),
    ...(calls ? [...calls.sorts, ...calls.searches, calls.notModified].flatMap((s) => s.problems) : []),
    ...(creates?.problems ?? []),
    ...(dashboards?.problems ?? []),
    ...(consistency?.problems ?? []),
  ];
  problems.unshift(...result.errors.map((error) => `stopped: ${error.split('\n')[0]}`));
  if (problems.length) lines.push('', 'Problems:', ...problems.map((p) => `- ${p}`));
  return lines.join('\n');
}
