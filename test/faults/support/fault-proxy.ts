import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A fault proxy on 127.0.0.1 between the SDK clients and the sandbox. Each request is classified
 * (service from the SigV4 credential scope, operation from the protocol's own field) and a rule
 * decides what happens to it:
 * - `forward`: passed through unchanged;
 * - `throttle`: not forwarded, answered with that service's own throttling error, in its protocol;
 * - `throttle-after`: forwarded and executed, but the answer replaced by the throttling error
 *   (a write that happened although the caller was told it did not);
 * - `drop-response`: forwarded and executed, then the connection is cut before any answer (a lost
 *   response);
 * - `status`: not forwarded, answered with an HTTP status and the service's error shape
 *   (e.g. 500 InternalFailure, 403 AccessDeniedException, 404 ResourceNotFoundException);
 * - `black-hole`: accepted and never answered;
 * - `crash-after`: forwarded and executed; when the answer arrives `crash` runs (the test
 *   SIGKILLs the process that sent the call) and the answer is never delivered;
 * - `restart-after`: forwarded and executed, then the endpoint restarts: every open connection is
 *   cut (answers in flight lost) and every new one reset as it opens, until `up()`.
 */
export interface ProxiedCall {
  service: string;
  operation: string;
  method: string;
  path: string;
  /** DynamoDB: the table the request names (TableName). */
  table?: string;
  /** The request body as text (which pool a call is about: its id is in the path or the body). */
  body: string;
}

export type FaultAction =
  | { kind: 'forward' }
  | { kind: 'throttle' }
  | { kind: 'throttle-after' }
  | { kind: 'drop-response' }
  | { kind: 'status'; status: number; code: string; message?: string }
  | { kind: 'black-hole' }
  | { kind: 'crash-after'; crash: () => void }
  | { kind: 'restart-after' }
  /** Forwarded with the idempotency token taken out (EKS clientRequestToken, EC2 ClientToken). */
  | { kind: 'strip-token' }
  /** Held until `until` settles, then handled as `next` (a barrier that lines concurrent calls up). */
  | { kind: 'hold'; until: Promise<unknown>; next: { kind: 'forward' } | { kind: 'strip-token' } };

export type FaultRule = (call: ProxiedCall) => FaultAction;

export interface LoggedCall extends ProxiedCall {
  action: FaultAction['kind'];
  /** The HTTP status the sandbox answered a forwarded call with (whether or not it was delivered). */
  answered?: number;
}

export interface FaultProxy {
  endpoint: string;
  setRule(rule: FaultRule): void;
  /** Ends a restart (`restart-after`): connections are accepted again. */
  up(): void;
  /** True while restarting. */
  readonly down: boolean;
  /** Every call seen, with what was done to it, in arrival order. */
  log: LoggedCall[];
  close(): Promise<void>;
}

export const forwardAll: FaultRule = () => ({ kind: 'forward' });

/** A seeded generator, so a "30 % throttled" run throttles the same calls every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Throttles the given share of calls (all services), chosen by a seeded generator. */
export function throttleShare(
  share: number,
  seed = 42,
  kind: 'throttle' | 'throttle-after' = 'throttle',
): FaultRule {
  const random = seededRandom(seed);
  return () => (random() < share ? { kind } : { kind: 'forward' });
}

function serviceOf(req: IncomingMessage): string {
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return scope?.[1] ?? 'unknown';
}

const EKS_ROUTES: Array<[string, RegExp, string]> = [
  ['POST', /\/node-groups\/[^/]+\/update-version$/, 'UpdateNodegroupVersion'],
  ['POST', /\/node-groups\/[^/]+\/update-config$/, 'UpdateNodegroupConfig'],
  ['GET', /\/updates\/[^/]+$/, 'DescribeUpdate'],
  ['GET', /\/updates$/, 'ListUpdates'],
  ['POST', /\/node-groups$/, 'CreateNodegroup'],
  ['GET', /\/node-groups\/[^/]+$/, 'DescribeNodegroup'],
  ['DELETE', /\/node-groups\/[^/]+$/, 'DeleteNodegroup'],
  ['GET', /\/node-groups$/, 'ListNodegroups'],
  ['POST', /^\/tags\//, 'TagResource'],
  ['GET', /^\/clusters\/[^/]+$/, 'DescribeCluster'],
];

function operationOf(service: string, req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (service === 'eks') {
    for (const [method, pattern, name] of EKS_ROUTES) {
      if (req.method === method && pattern.test(path)) return name;
    }
    return `${req.method} ${path}`;
  }
  if (service === 's3') return `${req.method} ${path}`;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'));
  return action?.[1] ?? `${req.method} ${path}`;
}

/** The request without its idempotency token: what a client that sends none would send. */
function withoutToken(service: string, body: Buffer): Buffer {
  const text = body.toString('utf8');
  if (service === 'ec2') return Buffer.from(text.replace(/(^|&)ClientToken=[^&]*/, ''));
  try {
    const { clientRequestToken: _token, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return Buffer.from(JSON.stringify(rest));
  } catch {
    return body;
  }
}

function tableOf(body: Buffer): { table?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { TableName?: unknown };
    return typeof parsed.TableName === 'string' ? { table: parsed.TableName } : {};
  } catch {
    return {};
  }
}

/** AWS's own error shape for one service, by protocol (botocore models, docs/reliability.md). */
export function errorResponse(
  service: string,
  status: number,
  code: string,
  message: string,
): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  switch (service) {
    case 'ec2':
      // EC2 query protocol: <Response><Errors><Error>.
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'iam':
    case 'sts':
    case 'autoscaling':
      // AWS query protocol: <ErrorResponse><Error>.
      return {
        status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 's3':
      return {
        status,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    case 'eks':
      // restJson1: the error type in x-amzn-ErrorType, the message in the body.
      return {
        status,
        headers: {
          'content-type': 'application/json',
          'x-amzn-errortype': code,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ message }),
      };
    case 'dynamodb':
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
      };
    case 'sqs':
      // SQS's JSON protocol, with the query-compatible code header the SDK reads.
      return {
        status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${code};Sender`,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
      };
    default:
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: code, message }),
      };
  }
}

/** Each service's throttling error: code and HTTP status as AWS sends them. */
export function throttlingResponse(service: string) {
  switch (service) {
    case 'ec2':
      return errorResponse(service, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 's3':
      return errorResponse(service, 503, 'SlowDown', 'Please reduce your request rate.');
    case 'iam':
    case 'sts':
    case 'autoscaling':
      return errorResponse(service, 400, 'Throttling', 'Rate exceeded');
    case 'sqs':
      return errorResponse(service, 400, 'RequestThrottled', 'Request rate exceeded');
    case 'eks':
      return errorResponse(service, 429, 'ThrottlingException', 'Rate exceeded');
    default:
      return errorResponse(service, 400, 'ThrottlingException', 'Rate exceeded');
  }
}

export async function startFaultProxy(target: string, rule: FaultRule = forwardAll): Promise<FaultProxy> {
  const upstream = new URL(target);
  let current = rule;
  const log: FaultProxy['log'] = [];
  const held = new Set<Socket>();
  let down = false;

  const answer = (res: ServerResponse, reply: ReturnType<typeof errorResponse>) => {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = serviceOf(req);
      const call: ProxiedCall = {
        service,
        operation: operationOf(service, req, body),
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        ...(service === 'dynamodb' ? tableOf(body) : {}),
        body: body.toString('utf8'),
      };
      const chosen = current(call);
      const entry: LoggedCall = { ...call, action: chosen.kind };
      log.push(entry);
      if (chosen.kind === 'hold') {
        void chosen.until.then(() => handle(req, res, body, entry, chosen.next));
        return;
      }
      handle(req, res, body, entry, chosen);
    });
  });

  const handle = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    entry: LoggedCall,
    action: Exclude<FaultAction, { kind: 'hold' }>,
  ) => {
    const { service } = entry;
    if (action.kind === 'black-hole') {
      held.add(req.socket);
      return;
    }
    if (action.kind === 'throttle') return answer(res, throttlingResponse(service));
    if (action.kind === 'status') {
      return answer(res, errorResponse(service, action.status, action.code, action.message ?? action.code));
    }
    const outgoing = action.kind === 'strip-token' ? withoutToken(service, body) : body;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(outgoing.length) },
      },
      (upstreamRes) => {
        const parts: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => parts.push(chunk));
        upstreamRes.on('end', () => {
          entry.answered = upstreamRes.statusCode;
          if (action.kind === 'drop-response') return void req.socket.destroy();
          if (action.kind === 'crash-after') {
            action.crash();
            return void req.socket.destroy();
          }
          if (action.kind === 'restart-after') {
            down = true;
            return void server.closeAllConnections();
          }
          if (action.kind === 'throttle-after') return answer(res, throttlingResponse(service));
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          res.end(Buffer.concat(parts));
        });
      },
    );
    forwarded.on('error', () => req.socket.destroy());
    forwarded.end(outgoing);
  };
  server.on('connection', (socket) => {
    socket.on('error', () => {});
    // Restarting: the connection is reset as it opens (ECONNRESET), as by a host going away.
    if (down) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    setRule: (next) => {
      current = next;
    },
    up: () => {
      down = false;
    },
    get down() {
      return down;
    },
    log,
    close: async () => {
      for (const socket of held) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
