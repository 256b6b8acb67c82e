import { describe, expect, it } from 'vitest';
import type { HubEvent, UserDTO } from '@/lib/shared/dto';
import { HEARTBEAT, RETRY, RETRY_MS, SHUTDOWN, encodeEvent, resyncFrame, sseFrame } from '@/lib/server/events/sse';
import { decodeEvent } from '@/lib/browser/decode-event';
import { parseBlock, splitBlocks } from '../support/sse';
import { aUser, deletedEvent } from '../support/users';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const ada: UserDTO = aUser(7, { name: 'Ada', email: 'ada@example.com', createdAt: '2026-01-02T03:04:05.000Z' });

describe('sseFrame', () => {
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

  it('sends the id and the user as it was for user_deleted', () => {
    expect(text(encodeEvent({ ...deletedEvent(7, ada), eventId: 13 }))).toBe(
      `event: user_deleted\nid: 13\ndata: ${JSON.stringify({ id: 7, user: ada })}\n\n`,
    );
  });

  it('sends the user and what it was for user_updated', () => {
    const before = { ...ada, name: 'Ada B', version: 1 };
    const after = { ...ada, version: 2 };
    expect(text(encodeEvent({ type: 'user_updated', user: after, previous: before, eventId: 14 }))).toBe(
      `event: user_updated\nid: 14\ndata: ${JSON.stringify({ user: after, previous: before })}\n\n`,
    );
  });
});

describe('decodeEvent', () => {
  it('reads back what encodeEvent wrote, for every user event', () => {
    const events: HubEvent[] = [
      { type: 'user_created', user: ada, eventId: 1 },
      { type: 'user_updated', user: { ...ada, version: 2 }, previous: ada, eventId: 2 },
      { ...deletedEvent(7, ada), eventId: 3 },
    ];
    for (const event of events) {
      const { message } = parseBlock(text(encodeEvent(event)));
      expect(decodeEvent(message?.event as HubEvent['type'], message?.id ?? '', message?.data ?? '')).toEqual(event);
    }
  });
});

describe('RETRY', () => {
  it('tells EventSource to wait RETRY_MS (3 s) before it reconnects by itself', () => {
    expect(RETRY_MS).toBe(3_000);
    expect(text(RETRY)).toBe('retry: 3000\n\n');
    // A retry-only block dispatches no message.
    expect(parseBlock(text(RETRY))).toEqual({ message: undefined, comments: [] });
  });
});

describe('SHUTDOWN', () => {
  it('is a shutdown event asking clients to reconnect within RETRY_MS', () => {
    expect(text(SHUTDOWN)).toBe('event: shutdown\ndata: {"reconnectWithinMs":3000}\n\n');
  });
});

describe('resyncFrame', () => {
  it('is a resync event with the id to carry on from, and no id line of its own', () => {
    expect(text(resyncFrame(1764230400000005))).toBe('event: resync\ndata: {"lastEventId":1764230400000005}\n\n');
  });
});
