// Part 1: the dashboard's first page — HTML bytes, server time, time to "Connected (SSE)", JS heap.
import { gzipSync } from 'node:zlib';
import { type Browser } from '@playwright/test';
import { request, sleep } from '../servers';
import { type Summary, summarize } from '../stats';
import { signedInContext, until } from './browser';
import { LOADS, SAMPLES, SESSION_COOKIE } from './config';
import { type Sampled, sample } from './http';

export type FirstPage = {
  htmlBytes: number;
  htmlGzipBytes: number;
  htmlRows: number;
  server: Sampled;
  connectedMs: Summary;
  heapMb: { afterLoad: Summary; afterGc: Summary };
  htmlInlineScriptBytes: number;
  /** The table's rows as markup (`<tbody>…</tbody>`). */
  htmlTableBodyBytes: number;
  navigation: { responseEndMs: number; domContentLoadedMs: number; loadMs: number; streamCreatedMs: number | null; streamOpenMs: number | null }[];
  problems: string[];
};

export async function firstPage(port: number, browser: Browser, base: string, token: string): Promise<FirstPage> {
  const cookie = { Cookie: `${SESSION_COOKIE}=${token}` };
  const { text, status } = await request(port, 'GET', '/', undefined, cookie);
  const problems = status === 200 ? [] : [`GET / answered ${status}`];
  const server = await sample(port, 'GET / (dashboard HTML)', ['/'], SAMPLES, 200, () => cookie);

  const connected: number[] = [];
  const afterLoad: number[] = [];
  const afterGc: number[] = [];
  const navigation: FirstPage['navigation'] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await signedInContext(browser, base, token);
    try {
      const page = await context.newPage();
      await page.goto('/', { waitUntil: 'load', timeout: 30_000 });
      connected.push(await until<number>(page, 'window.__bench.connectedAt', 20_000));
      navigation.push(
        await page.evaluate<FirstPage['navigation'][number]>(`(() => {
          const entry = performance.getEntriesByType('navigation')[0];
          return {
            responseEndMs: entry.responseEnd,
            domContentLoadedMs: entry.domContentLoadedEventEnd,
            loadMs: entry.loadEventEnd,
            streamCreatedMs: window.__bench.streamAt,
            streamOpenMs: window.__bench.openAt,
          };
        })()`),
      );
      await sleep(300);
      const cdp = await context.newCDPSession(page);
      afterLoad.push((await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20);
      await cdp.send('HeapProfiler.collectGarbage');
      afterGc.push((await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20);
    } catch (error) {
      problems.push(`dashboard load ${i + 1}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await context.close();
    }
  }
  return {
    htmlBytes: Buffer.byteLength(text),
    htmlGzipBytes: gzipSync(text).length,
    htmlRows: (text.match(/<tr[^>]*data-user-id=/g) ?? []).length,
    // Inline scripts: mostly the React Server Components payload (the page's data once more, for hydration).
    htmlTableBodyBytes: Buffer.byteLength(/<tbody[\s\S]*?<\/tbody>/.exec(text)?.[0] ?? ''),
    htmlInlineScriptBytes: [...text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].reduce((sum, match) => sum + Buffer.byteLength(match[1] ?? ''), 0),
    server,
    connectedMs: summarize(connected),
    heapMb: { afterLoad: summarize(afterLoad), afterGc: summarize(afterGc) },
    navigation,
    problems: [...problems, ...server.problems],
  };
}
