/**
 * REST over node:http: the `/api/v10` prefix, route matching, `Bot <token>`
 * checks, JSON and multipart bodies, per-route rate-limit headers, failures
 * injected by a test, and a record of every request.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, type Reply } from './errors.js';
import type { World } from './state.js';
import type { RecordedRequest } from './types.js';

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
}

export interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  files: UploadedFile[];
  query: URLSearchParams;
  hadAuth: boolean;
}

export interface Route {
  method: string;
  template: string;
  segments: string[];
  /** Whether `Authorization: Bot <token>` is required (webhook/callback routes take none). */
  auth: boolean;
  handle: (ctx: RouteContext) => Reply | Promise<Reply>;
}

export interface InjectedFailure {
  matcher: string | RegExp;
  reply: Reply;
}

/** A route: `template` like `/channels/:channelId/messages`; `auth` says whether `Bot <token>` is required. */
export function route(method: string, template: string, auth: boolean, handle: Route['handle']): Route {
  return { method, template, segments: template.split('/').slice(1), auth, handle };
}

interface Hold {
  readonly matcher: RegExp;
  released: boolean;
  readonly waiting: (() => void)[];
}

export class Http {
  private readonly failures: InjectedFailure[] = [];
  private readonly holds: Hold[] = [];

  constructor(
    private readonly world: World,
    private readonly routes: readonly Route[],
  ) {}

  /**
   * Make the next request matching `route` fail with `status`. `route` is
   * either `'METHOD /template'` (e.g. `'POST /channels/:channelId/messages'`)
   * or a RegExp tested against
   * `'METHOD /actual/path'`. Call it n times to fail n requests. For 429 a
   * Discord-like body and `retry-after` (0.05 s) are filled in unless given;
   * pass `{ 'x-ratelimit-global': 'true' }` for a global limit. Injected
   * failures have no side effects (nothing is stored or dispatched).
   */
  failNext(route: string | RegExp, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    let replyBody = body;
    const replyHeaders = { ...headers };
    if (status === 429) {
      const retryAfter = Number(replyHeaders['retry-after'] ?? 0.05);
      replyHeaders['retry-after'] ??= String(retryAfter);
      replyHeaders['x-ratelimit-scope'] ??= 'x-ratelimit-global' in replyHeaders ? 'global' : 'user';
      replyBody ??= {
        message: 'You are being rate limited.',
        retry_after: retryAfter,
        global: 'x-ratelimit-global' in replyHeaders,
        code: 0,
      };
    }
    replyBody ??= status >= 500 ? ERRORS.internal.body : { message: `${status}`, code: 0 };
    this.failures.push({ matcher: route, reply: { status, body: replyBody, headers: replyHeaders } });
  }

  /**
   * Requests matching `matcher` (tested against `'METHOD /actual/path'`) are
   * handled as usual — what they create exists — but their responses wait until
   * the returned release() (or close): the moment between Discord accepting a
   * request and the client hearing so, in which a client can die.
   */
  holdResponses(matcher: RegExp): () => void {
    const hold: Hold = { matcher, released: false, waiting: [] };
    this.holds.push(hold);
    return () => {
      hold.released = true;
      for (const resume of hold.waiting.splice(0)) resume();
    };
  }

  /** Lets every held response go (the stand-in is closing). */
  releaseAll(): void {
    for (const hold of this.holds) {
      hold.released = true;
      for (const resume of hold.waiting.splice(0)) resume();
    }
  }

  async onHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.world.elapsed();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const authHeader = req.headers.authorization;
    const authOk = authHeader === `Bot ${this.world.token}` && !this.world.refuseRest;

    let parsed: { body: unknown; files: UploadedFile[] } | null;
    try {
      parsed = await parseBody(raw, req.headers['content-type']);
    } catch {
      parsed = null;
    }
    const prefix = '/api/v10';
    const fullPath = url.pathname;
    const path = fullPath.startsWith(`${prefix}/`) ? fullPath.slice(prefix.length) : fullPath;
    const segments = path.split('/').slice(1).map(safeDecode);
    const record: RecordedRequest = {
      method,
      path: `/${segments.join('/')}`,
      query: url.search,
      route: null,
      hadAuth: authHeader !== undefined,
      authOk,
      body: parsed?.body,
      files: parsed?.files.map((f) => f.name) ?? [],
      status: 0,
      response: undefined,
      at,
    };
    this.world.requests.push(record);

    let reply: Reply;
    const versioned = fullPath.startsWith(`${prefix}/`);
    const matches = versioned ? this.routes.filter((r) => matchSegments(r.segments, segments)) : [];
    const route = matches.find((r) => r.method === method);
    if (route) record.route = route.template;

    const injected = route ? this.takeFailure(method, route.template, record.path) : this.takeFailure(method, null, record.path);
    if (injected) {
      record.injected = true;
      reply = injected;
    } else if (!versioned || matches.length === 0) {
      reply = ERRORS.notFound;
    } else if (!route) {
      record.route = matches[0]?.template ?? null;
      reply = ERRORS.methodNotAllowed;
    } else if (route.auth && !authOk) {
      reply = ERRORS.unauthorized;
    } else if (parsed === null) {
      reply = ERRORS.invalidJson;
    } else {
      const params: Record<string, string> = {};
      route.segments.forEach((s, i) => {
        if (s.startsWith(':')) params[s.slice(1)] = segments[i] ?? '';
      });
      try {
        reply = await route.handle({ params, body: parsed.body, files: parsed.files, query: url.searchParams, hadAuth: record.hadAuth });
      } catch (err) {
        // A bug in the stand-in, not in the bot: make it loud in the record.
        reply = { status: 500, body: { message: '500: Internal Server Error', code: 0, standInError: String(err) } };
      }
    }

    record.status = reply.status;
    record.response = reply.body;
    const hold = this.holds.find((h) => !h.released && h.matcher.test(`${method} ${record.path}`));
    if (hold) {
      record.held = true;
      await new Promise<void>((resume) => hold.waiting.push(resume));
    }
    if (!res.destroyed) this.writeReply(res, reply, route);
  }

  private writeReply(res: ServerResponse, reply: Reply, route: Route | undefined): void {
    const headers: Record<string, string> = {};
    if (route) {
      // Plausible per-route bucket headers: discord.js reads them to schedule
      // requests; "remaining" never reaches 0 so nothing is ever delayed.
      headers['x-ratelimit-limit'] = '50';
      headers['x-ratelimit-remaining'] = '49';
      headers['x-ratelimit-reset'] = ((Date.now() + 1000) / 1000).toFixed(3);
      headers['x-ratelimit-reset-after'] = '1.000';
      headers['x-ratelimit-bucket'] = createHash('sha1').update(`${route.method} ${route.template}`).digest('hex').slice(0, 32);
    }
    Object.assign(headers, reply.headers);
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  private takeFailure(method: string, template: string | null, path: string): Reply | undefined {
    const index = this.failures.findIndex((f) =>
      typeof f.matcher === 'string' ? template !== null && f.matcher === `${method} ${template}` : f.matcher.test(`${method} ${path}`),
    );
    if (index === -1) return undefined;
    const [failure] = this.failures.splice(index, 1);
    return failure?.reply;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(template: string[], actual: string[]): boolean {
  return template.length === actual.length && template.every((s, i) => s.startsWith(':') || s === actual[i]);
}

/** JSON bodies, and multipart bodies (`payload_json` + files) as discord.js sends uploads. */
async function parseBody(raw: Buffer, contentType: string | undefined): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, size: value.size, contentType: value.type || 'application/octet-stream' });
      }
    }
    return { body, files };
  }
  if (contentType?.startsWith('application/json')) return { body: JSON.parse(raw.toString('utf8')), files: [] };
  return { body: raw.toString('utf8'), files: [] };
}
