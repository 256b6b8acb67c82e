// A test-side reader for Server-Sent Events, following the parsing rules of the HTML standard
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// so the tests read the stream the way EventSource would rather than the way the server wrote it.
import { afterEach, beforeAll, expect } from 'vitest';
import { type Auth, authHeaders, eventually, health } from './api';

export type SseMessage = { event: string; data: string; id?: string };
export type SseBlock = { message?: SseMessage; comments: string[] };

/** One block (the text between blank lines): its message, if it dispatches one, and its comments. */
export function parseBlock(block: string): SseBlock {
  const comments: string[] = [];
  const data: string[] = [];
  let event = 'message';
  let id: string | undefined;
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trimStart());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  const message = data.length ? { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) } : undefined;
  return { message, comments };
}

/** Splits decoded stream text into complete blocks and the unfinished rest. */
export function splitBlocks(text: string): { blocks: string[]; rest: string } {
  const parts = text.replace(/\r\n|\r/g, '\n').split('\n\n');
  const rest = parts.pop() ?? '';
  return { blocks: parts, rest };
}

/** A live `GET /events` connection made with fetch; messages are taken one at a time, in order. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {}

  /**
   * Opens the stream with the API token (or `auth`); `headers` are sent too, e.g. the
   * `Last-Event-ID` of a reconnecting EventSource.
   */
  static async connect(url: string, headers: Record<string, string> = {}, auth: Auth = 'token'): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, {
      signal: controller.signal,
      headers: { Accept: 'text/event-stream', ...authHeaders(auth), ...headers },
    });
    if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
    const client = new SseClient(response, controller);
    void client.#pump(response.body);
    return client;
  }

  async #pump(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        const { blocks, rest } = splitBlocks(buffer + decoder.decode(chunk, { stream: true }));
        buffer = rest;
        for (const block of blocks) {
          const { message, comments } = parseBlock(block);
          this.comments.push(...comments);
          if (message) this.messages.push(message);
        }
        this.#wake();
      }
    } catch {
      // aborted by close()
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** The next message not taken yet; fails after `timeoutMs` or when the stream ends first. */
  async next(timeoutMs = 5_000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.messages.shift();
      if (message) return message;
      if (this.#ended) throw new Error('The event stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops the connection, as a closed browser tab would. */
  close() {
    this.controller.abort();
  }
}

/**
 * The streams one test file opens on the shared server. `open` connects and reads the `connected`
 * event; after each test every stream is closed and the server's count is awaited back to where
 * it was before the file, so counts compared in a test are never off by another test's stream.
 * `server` is the server's URL, or a function giving it once a beforeAll registered earlier has
 * started the server.
 */
export function streamsFor(server: string | (() => string)) {
  const baseUrl = typeof server === 'string' ? () => server : server;
  const clients: SseClient[] = [];
  let baseline = 0;
  beforeAll(async () => {
    baseline = (await health(baseUrl())).subscribers;
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await eventually(() => health(baseUrl()), (h) => h.subscribers === baseline);
  });
  return {
    async open(query = '', headers: Record<string, string> = {}) {
      const client = await SseClient.connect(`${baseUrl()}/events${query}`, headers);
      clients.push(client);
      const connected = await client.next();
      expect(connected.event).toBe('connected');
      return { client, lastEventId: (JSON.parse(connected.data) as { lastEventId: number }).lastEventId };
    },
  };
}
