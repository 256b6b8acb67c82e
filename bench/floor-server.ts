// The floor: the least an SSE broadcaster can do on node:http — a Set of responses written in a
// loop. Roster's figures are reported as ratios to this, measured in the same run.
import http from 'node:http';

const clients = new Set<http.ServerResponse>();
let lastEventId = 0;
let nextUserId = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/events')) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform' });
    res.write(`event: connected\ndata: {"lastEventId":${lastEventId}}\n\n`);
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (req.method === 'GET' && req.url === '/api/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', subscribers: clients.size, lastEventId }));
    return;
  }
  if (req.method === 'POST' && req.url === '/api/users') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const input = JSON.parse(body) as { name: string; email: string };
      const user = { id: ++nextUserId, name: input.name, email: input.email, createdAt: new Date().toISOString() };
      const frame = `event: user_created\nid: ${++lastEventId}\ndata: ${JSON.stringify(user)}\n\n`;
      for (const client of clients) client.write(frame);
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(user));
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.env.PORT ?? 3400), '127.0.0.1', () => process.send?.('ready'));
// An orderly exit, so that --profile's CPU profile is written.
process.once('SIGTERM', () => process.exit(0));
