/**
 * A fake Twilio REST API on 127.0.0.1 that records requests, for the real twilio client
 * (`client.api.baseUrl = fake.baseUrl`, docs/dependencies.md §2). It answers
 * `POST /2010-04-01/Accounts/{sid}/Messages.json` with 201 and a message resource, or with
 * whatever `fake.reply` returns (an error status and Twilio's error JSON).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The form fields (To, From, Body, MessagingServiceSid). */
  readonly form: Readonly<Record<string, string>>;
  /** user:password of Basic auth. */
  readonly auth?: string;
}

export interface TwilioReply {
  readonly status: number;
  readonly body: unknown;
}

export interface TwilioFake {
  readonly baseUrl: string;
  readonly requests: TwilioRequest[];
  /** Override the answer (default: 201 queued). */
  reply?: (req: TwilioRequest) => TwilioReply | undefined;
  waitFor(count: number, timeoutMs?: number): Promise<TwilioRequest[]>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTwilioFake(): Promise<TwilioFake> {
  const requests: TwilioRequest[] = [];
  const fake = { requests } as { -readonly [K in keyof TwilioFake]: TwilioFake[K] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const r: TwilioRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, form, ...(basic && { auth: Buffer.from(basic, 'base64').toString('utf8') }) };
      requests.push(r);
      const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/i.exec(r.path);
      let answer = fake.reply?.(r);
      if (!answer && (!m || r.method !== 'POST')) answer = { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } };
      if (!answer) {
        const sid = `SM${(++counter).toString(16).padStart(32, '0')}`;
        answer = {
          status: 201,
          body: { sid, status: 'queued', to: form.To, from: form.From ?? null, body: form.Body, account_sid: m![1], date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${m![1]}/Messages/${sid}.json` },
        };
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}`,
    async waitFor(count: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`Twilio fake: ${requests.length} of ${count} requests after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return requests;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return fake as TwilioFake;
}
