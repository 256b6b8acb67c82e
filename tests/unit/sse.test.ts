import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import { HEARTBEAT, encodeEvent, sseFrame } from '@/lib/events/sse';
import { parseBlock, splitBlocks } from '../support/sse';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const ada: UserDTO = { id: 7, name: 'Ada', email: 'ada@example.com', createdAt: '2026-01-02T03:04:05.000Z' };

describe('sseFrame', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes event, id and data lines and ends the message with a blank line', () => {
    expect(text(sseFrame('user_deleted', { id: 7 }, 1001))).toBe('event: user_deleted\nid: 1001\ndata: {"id":7}\n\n');
  });

  it('leaves out the id line when there is no id', () => {
    expect(text(sseFrame('connected', { lastEventId: 5 }))).toBe('event: connected\ndata: {"lastEventId":5}\n\n');
  });

  it('keeps line breaks inside the data from splitting the message', () => {
    const data = { name: 'two\nlines\r\nand\rmore', note: 'line\u2028separator' };
    const frame = text(sseFrame('note', data, 3));
    const { blocks, rest } = splitBlocks(frame);
    expect(blocks).toHaveLength(1);
    expect(rest).toBe('');
    const { message } = parseBlock(blocks[0] ?? '');
    expect(message).toEqual({ event: 'note', id: '3', data: expect.any(String) });
    expect(JSON.parse(message?.data ?? '')).toEqual(data);
  });

  it('splits serialised data that spans several lines into one data line each', () => {
    // JSON.stringify escapes line breaks today; a pretty-printing serialiser must not break the format.
    vi.spyOn(JSON, 'stringify').mockReturnValueOnce('{\n  "id": 7\n}');
    const frame = text(sseFrame('user_deleted', { id: 7 }, 9));
    expect(frame).toBe('event: user_deleted\nid: 9\ndata: {\ndata:   "id": 7\ndata: }\n\n');
    expect(JSON.parse(parseBlock(frame).message?.data ?? '')).toEqual({ id: 7 });
  });

  it('produces a frame any SSE parser reads back as the same event', () => {
    const { message } = parseBlock(text(sseFrame('user_created', ada, 42)));
    expect(message?.event).toBe('user_created');
    expect(message?.id).toBe('42');
    expect(JSON.parse(message?.data ?? '')).toEqual(ada);
  });
});

describe('HEARTBEAT', () => {
  it('is a comment, which EventSource ignores', () => {
    expect(text(HEARTBEAT)).toBe(': heartbeat\n\n');
    expect(parseBlock(text(HEARTBEAT))).toEqual({ message: undefined, comments: ['heartbeat'] });
  });
});

describe('encodeEvent', () => {
  it('sends the whole user for user_created, with the event id', () => {
    expect(text(encodeEvent({ type: 'user_created', user: ada, eventId: 12 }))).toBe(
      `event: user_created\nid: 12\ndata: ${JSON.stringify(ada)}\n\n`,
    );
  });

  it('sends only the id for user_deleted', () => {
    expect(text(encodeEvent({ type: 'user_deleted', id: 7, eventId: 13 }))).toBe(
      'event: user_deleted\nid: 13\ndata: {"id":7}\n\n',
    );
  });
});
