// Timed HTTP against the server under test: one request, a page of a view, a sample of GETs.
import type { View } from '../../lib/shared/directory/view';
import type { PageDTO } from '../../lib/shared/dto';
import { type Answer, request } from '../servers';
import { type Summary, summarize } from '../stats';
import { now } from './config';

export type Timed = { ms: number; answer: Answer };

export async function timed(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Timed> {
  const started = now();
  const answer = await request(port, method, url, body, headers);
  return { ms: now() - started, answer };
}

export const parsePage = (answer: Answer) => JSON.parse(answer.text) as PageDTO;

/** `url` with `params` added (empty values left out). */
export function withParams(url: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

/** A view as the bench asks for it: the app's own sorts and orders, the search optional. */
export type ViewQuery = Partial<Pick<View, 'q'>> & Pick<View, 'sort' | 'order'>;

/** The API page of a view (and cursor). */
export async function apiPage(port: number, view: ViewQuery, cursor?: string | null): Promise<PageDTO> {
  const url = withParams('/api/users', { ...view, cursor });
  const { status, text } = await request(port, 'GET', url);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as PageDTO;
}

/** A metric and the problems met measuring it (wrong statuses, say). */
export type Sampled = { label: string; urls: string[]; summary: Summary; problems: string[] };

/** `count` GETs cycling through `urls` one at a time (after `warmUps` of each), timed to the last byte. */
export async function sample(
  port: number,
  label: string,
  urls: string[],
  count: number,
  expectStatus = 200,
  headers: (url: string) => Record<string, string> = () => ({}),
  warmUps = 1,
): Promise<Sampled> {
  const problems: string[] = [];
  for (let i = 0; i < warmUps; i++) for (const url of urls) await request(port, 'GET', url, undefined, headers(url));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = urls[i % urls.length] ?? '/';
    const { ms, answer } = await timed(port, 'GET', url, undefined, headers(url));
    if (answer.status !== expectStatus) problems.push(`GET ${url} answered ${answer.status}, not ${expectStatus}`);
    times.push(ms);
  }
  return { label, urls, summary: summarize(times), problems: [...new Set(problems)] };
}
