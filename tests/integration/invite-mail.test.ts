// Invites by e-mail (issue 21), on a real `npm start` with SMTP_URL naming a real SMTP server this
// test starts (smtp-server, the SMTP server nodemailer's authors keep): the link is e-mailed to the
// person, and a server that is down leaves the link working and says so. Sending an invite and
// ending someone's sessions are in the activity, under the admin who did it.
import { simpleParser } from 'mailparser';
import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { makePerson } from '../support/accounts';
import { authHeaders, postUser, uniqueEmail } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { signIn } from '../support/session';

type Mail = { from: string; to: string[]; raw: string };

const mails: Mail[] = [];
let smtp: SMTPServer;
let server: TestServer;

beforeAll(async () => {
  smtp = new SMTPServer({
    // Plain SMTP on loopback: the test server has no certificate to offer.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((to) => to.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  server = await startServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Roster <roster@roster.test>' } });
});
afterAll(async () => {
  server?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

async function personWithRole(name: string): Promise<UserDTO> {
  const response = await postUser(server.url, { name, email: uniqueEmail('mailed'), role: 'editor' });
  expect(response.status).toBe(201);
  return (await response.json()) as UserDTO;
}

async function activityOf(userId: number): Promise<ActivityPageDTO> {
  const response = await fetch(`${server.url}/api/activity?user=${userId}`, { headers: authHeaders() });
  expect(response.status).toBe(200);
  return (await response.json()) as ActivityPageDTO;
}

describe('an invite with SMTP_URL set', () => {
  it('is e-mailed to the person: their address, the link, who invited them and until when; the activity names the admin', async () => {
    const admin = await makePerson(server.url, server.databaseFile, 'Ada Inviter', 'admin');
    const cookie = await signIn(server.url, admin);
    const grace = await personWithRole('Grace Mailed');
    const headers = { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/json' };
    const response = await fetch(`${server.url}/api/users/${grace.id}/invite`, { method: 'POST', headers, body: '{}' });
    expect(response.status, await response.clone().text()).toBe(201);
    const { url, expiresAt, email } = (await response.json()) as { url: string; expiresAt: string; email: string };
    expect(email).toBe('sent');

    const mail = mails.find((each) => each.to.includes(grace.email));
    expect(mail, 'an e-mail to the invited person').toBeDefined();
    expect(mail?.from).toBe('roster@roster.test');
    const parsed = await simpleParser(mail?.raw ?? '');
    expect(parsed.subject).toBe('Ada Inviter invited you to Roster');
    expect(parsed.text).toContain(url);
    expect(parsed.text).toContain('Hello Grace Mailed,');
    expect(parsed.text).toContain('as editor');
    expect(parsed.text).toContain(`until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC`);

    const [entry] = (await activityOf(grace.id)).entries;
    expect(entry).toMatchObject({ kind: 'invited', principal: `user:${admin.user.id}`, actor: { id: admin.user.id, name: 'Ada Inviter' }, user: { id: grace.id } });
  });

  it('still gives the link when the SMTP server cannot be reached, and says the e-mail failed', async () => {
    const down = await startServer({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    try {
      const person = await postUser(down.url, { name: 'Kim Unmailed', email: uniqueEmail('unmailed'), role: 'viewer' });
      const kim = (await person.json()) as UserDTO;
      const response = await fetch(`${down.url}/api/users/${kim.id}/invite`, { method: 'POST', headers: authHeaders() });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { url: string; email: string };
      expect(body.email).toBe('failed');
      expect((await fetch(body.url.replace(/^http:\/\/[^/]+/, down.url))).status).toBe(200);
    } finally {
      down.stop();
    }
  });
});

describe('an admin ending someone’s sessions', () => {
  it('is in the activity under the admin’s name', async () => {
    const admin = await makePerson(server.url, server.databaseFile, 'Ada Ender', 'admin');
    const cookie = await signIn(server.url, admin);
    const kim = await makePerson(server.url, server.databaseFile, 'Kim Ended', 'editor');
    await signIn(server.url, kim);
    const response = await fetch(`${server.url}/api/users/${kim.user.id}/sessions`, { method: 'DELETE', headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ended: 1 });
    const [entry] = (await activityOf(kim.user.id)).entries;
    expect(entry).toMatchObject({ kind: 'sessions ended', actor: { id: admin.user.id, name: 'Ada Ender' }, user: { id: kim.user.id, name: 'Kim Ended' } });
  });
});
