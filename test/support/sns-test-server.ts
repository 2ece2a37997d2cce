// Test double of Amazon SNS for integration tests: the Query protocol (form-encoded POST, XML replies) on 127.0.0.1.
// Publishes, and subscriptions as SNS keeps them: an email subscription stays "PendingConfirmation" until its token
// (the link in the confirmation mail) confirms it, and an unsubscribed one is simply gone.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody, trackedSleep } from './loopback-server.js';

/** A message attribute as SNS received it. */
export interface RecordedAttribute {
  readonly dataType: string;
  readonly value: string;
}

/** One publish the server accepted. */
export interface RecordedPublish {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  /** The `Message` parameter exactly as sent. */
  readonly message: string;
  readonly messageStructure?: string;
  readonly attributes: Readonly<Record<string, RecordedAttribute>>;
}

/** An error the server answers with instead of handling a request. */
export interface InjectedFault {
  readonly status: number;
  /** The SNS error code, e.g. `InternalError`, `Throttling`. */
  readonly code: string;
  readonly message?: string;
}

/** One subscription as the server keeps it. */
export interface RecordedSubscription {
  /** Its ARN, which SNS reveals only once it is confirmed. */
  readonly subscriptionArn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly confirmed: boolean;
  /** `Attributes` given to `Subscribe` (FilterPolicy, FilterPolicyScope, RawMessageDelivery, …). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Confirmed with `AuthenticateOnUnsubscribe=true`: the unsubscribe link in a mail no longer works. */
  readonly authenticateOnUnsubscribe: boolean;
}

export interface SnsTestServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Creates a topic directly (as `CreateTopic` does) and returns its ARN. */
  createTopic(name: string): string;
  /** Accepted publishes, oldest first, optionally of one topic. */
  published(topicArn?: string): RecordedPublish[];
  /**
   * Calls `listener` with each accepted publish, after the reply, as SNS delivers to subscribers asynchronously. What
   * the listener throws or rejects with is kept in {@link SnsTestServer.deliveryErrors}, as a failed delivery would be.
   */
  onPublish(listener: (publish: RecordedPublish) => void | Promise<void>): void;
  /** What `onPublish` listeners threw, oldest first. */
  deliveryErrors(): unknown[];
  /** Subscriptions that exist now (pending and confirmed), in the order they were made, optionally of one topic. */
  subscriptions(topicArn?: string): RecordedSubscription[];
  /** The token the confirmation mail of a pending subscription carries (its link's `Token=`); undefined if none. */
  confirmationToken(topicArn: string, endpoint: string): string | undefined;
  /**
   * What a mail scanner does when it follows the unsubscribe link of a message: removes the subscription without AWS
   * credentials, unless it was confirmed with `AuthenticateOnUnsubscribe=true`. Returns whether it was removed.
   */
  followUnsubscribeLink(subscriptionArn: string): boolean;
  /** How many requests arrived, optionally of one action, faults and rejections included. */
  requestCount(action?: string): number;
  /** Answers the next `n` requests with this error. */
  failNext(n: number, fault: InjectedFault): void;
  /** Holds the next request for `ms` before handling it; it is still handled if the client gave up meanwhile. */
  delayNext(ms: number): void;
  close(): Promise<void>;
}

/** SNS's limit on the body plus every attribute's name, data type and value. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

class SnsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string): SnsFault => new SnsFault(400, 'InvalidParameter', message);

/** Starts the server on an ephemeral loopback port. */
export async function startSnsTestServer(
  options: {
    readonly region?: string;
    readonly accountId?: string;
    /** Subscriptions per `ListSubscriptionsByTopic` page. @default 100, as SNS */
    readonly subscriptionPageSize?: number;
  } = {},
): Promise<SnsTestServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const pageSize = options.subscriptionPageSize ?? 100;
  const topics = new Set<string>();
  const publishes: RecordedPublish[] = [];
  const listeners: ((publish: RecordedPublish) => void | Promise<void>)[] = [];
  const deliveryErrors: unknown[] = [];
  const subscriptions: StoredSubscription[] = [];
  /** NextToken → where the next page starts, per topic. */
  const pageTokens = new Map<string, { topicArn: string; offset: number }>();
  const counts = new Map<string, number>();
  const faults: InjectedFault[] = [];
  const delays: number[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const createTopic = (name: string): string => {
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) throw invalid('Invalid parameter: Topic Name');
    const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
    topics.add(arn);
    return arn;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let action = '(none)';
    try {
      const body = await readBody(req);
      const params = new URLSearchParams(body);
      action = params.get('Action') ?? '(none)';
      counts.set(action, (counts.get(action) ?? 0) + 1);

      const delay = delays.shift();
      if (delay !== undefined) await trackedSleep(delay, timers);
      const fault = faults.shift();
      if (fault) throw new SnsFault(fault.status, fault.code, fault.message ?? `Injected ${fault.code}`);

      if (req.method !== 'POST') throw new SnsFault(405, 'InvalidAction', 'Only POST is supported here');
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        throw new SnsFault(400, 'MalformedQueryString', 'Expected a form-urlencoded body');
      }
      if (!req.headers.authorization) throw new SnsFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');

      if (action === 'CreateTopic') {
        const arn = createTopic(required(params, 'Name'));
        return reply(res, requestId, 'CreateTopic', `<TopicArn>${xml(arn)}</TopicArn>`);
      }
      if (action === 'Publish') {
        const recorded = publish(params, topics);
        publishes.push(recorded);
        reply(res, requestId, 'Publish', `<MessageId>${recorded.messageId}</MessageId>`);
        for (const listener of listeners) {
          void Promise.resolve()
            .then(() => listener(recorded))
            .catch((error: unknown) => deliveryErrors.push(error));
        }
        return;
      }
      if (action === 'Subscribe') {
        const arn = subscribe(params, topics, subscriptions);
        return reply(res, requestId, 'Subscribe', `<SubscriptionArn>${xml(arn)}</SubscriptionArn>`);
      }
      if (action === 'ConfirmSubscription') {
        const arn = confirmSubscription(params, topics, subscriptions);
        return reply(res, requestId, 'ConfirmSubscription', `<SubscriptionArn>${xml(arn)}</SubscriptionArn>`);
      }
      if (action === 'Unsubscribe') {
        const arn = required(params, 'SubscriptionArn');
        const index = subscriptions.findIndex((s) => s.confirmed && s.subscriptionArn === arn);
        if (index < 0) throw new SnsFault(404, 'NotFound', 'Subscription does not exist');
        subscriptions.splice(index, 1);
        return reply(res, requestId, 'Unsubscribe');
      }
      if (action === 'ListSubscriptionsByTopic') {
        const topicArn = required(params, 'TopicArn');
        if (!topics.has(topicArn)) throw new SnsFault(404, 'NotFound', 'Topic does not exist');
        let offset = 0;
        const token = params.get('NextToken');
        if (token !== null && token !== '') {
          const page = pageTokens.get(token);
          if (!page || page.topicArn !== topicArn) throw invalid('Invalid parameter: NextToken');
          offset = page.offset;
        }
        const ofTopic = subscriptions.filter((s) => s.topicArn === topicArn);
        const members = ofTopic.slice(offset, offset + pageSize).map(
          (s) =>
            `<member><TopicArn>${xml(s.topicArn)}</TopicArn><Protocol>${xml(s.protocol)}</Protocol>` +
            `<SubscriptionArn>${s.confirmed ? xml(s.subscriptionArn) : 'PendingConfirmation'}</SubscriptionArn>` +
            `<Owner>${accountId}</Owner><Endpoint>${xml(s.endpoint)}</Endpoint></member>`,
        );
        let next = '';
        if (offset + pageSize < ofTopic.length) {
          const nextToken = randomBytes(24).toString('base64');
          pageTokens.set(nextToken, { topicArn, offset: offset + pageSize });
          next = `<NextToken>${xml(nextToken)}</NextToken>`;
        }
        return reply(res, requestId, 'ListSubscriptionsByTopic', `<Subscriptions>${members.join('')}</Subscriptions>${next}`);
      }
      throw new SnsFault(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    } catch (error) {
      const fault = error instanceof SnsFault ? error : new SnsFault(500, 'InternalError', String(error));
      replyError(res, requestId, fault);
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const listener = await listenOnLoopback(server);
  const { port } = listener;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    createTopic,
    published: (topicArn) => publishes.filter((p) => topicArn === undefined || p.topicArn === topicArn),
    onPublish: (listener) => {
      listeners.push(listener);
    },
    deliveryErrors: () => [...deliveryErrors],
    subscriptions: (topicArn) =>
      subscriptions
        .filter((s) => topicArn === undefined || s.topicArn === topicArn)
        .map(({ token: _token, ...s }) => ({ ...s, attributes: { ...s.attributes } })),
    confirmationToken: (topicArn, endpoint) =>
      subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint && !s.confirmed)?.token,
    followUnsubscribeLink: (subscriptionArn) => {
      const index = subscriptions.findIndex((s) => s.subscriptionArn === subscriptionArn && s.confirmed);
      if (index < 0 || subscriptions[index]!.authenticateOnUnsubscribe) return false;
      subscriptions.splice(index, 1);
      return true;
    },
    requestCount: (action) =>
      action === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(action) ?? 0),
    failNext: (n, fault) => {
      for (let i = 0; i < n; i += 1) faults.push(fault);
    },
    delayNext: (ms) => {
      delays.push(ms);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await listener.close();
    },
  };
}

interface StoredSubscription {
  subscriptionArn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  confirmed: boolean;
  token: string;
  attributes: Record<string, string>;
  authenticateOnUnsubscribe: boolean;
}

/** Protocols whose endpoint must confirm the subscription (the others are confirmed at once, as for same-account Lambda and SQS). */
const CONFIRMED_BY_ENDPOINT = new Set(['email', 'email-json', 'http', 'https']);
const PROTOCOLS = new Set([...CONFIRMED_BY_ENDPOINT, 'sms', 'sqs', 'lambda', 'application', 'firehose']);
const SUBSCRIPTION_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

/**
 * `Subscribe`: a new subscription, pending confirmation for email and HTTP(S), with its attributes. As SNS, it answers
 * "pending confirmation" in place of the ARN unless `ReturnSubscriptionArn` is true, and subscribing an endpoint again
 * returns the same subscription (a pending one gets a new confirmation token, as a new confirmation mail).
 */
function subscribe(params: URLSearchParams, topics: ReadonlySet<string>, subscriptions: StoredSubscription[]): string {
  const topicArn = required(params, 'TopicArn');
  if (!topics.has(topicArn)) throw new SnsFault(404, 'NotFound', 'Topic does not exist');
  const protocol = required(params, 'Protocol');
  if (!PROTOCOLS.has(protocol)) throw invalid('Invalid parameter: Amazon SNS does not support this protocol string');
  const endpoint = required(params, 'Endpoint');
  if (protocol.startsWith('email') && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) {
    throw invalid('Invalid parameter: Email address');
  }
  const attributes: Record<string, string> = {};
  for (let n = 1; params.has(`Attributes.entry.${n}.key`); n += 1) {
    const key = params.get(`Attributes.entry.${n}.key`) ?? '';
    const value = params.get(`Attributes.entry.${n}.value`) ?? '';
    if (!SUBSCRIPTION_ATTRIBUTES.has(key)) throw invalid(`Invalid parameter: Attributes Reason: Unknown attribute ${key}`);
    attributes[key] = value;
  }
  if (attributes['FilterPolicy'] !== undefined) {
    let policy: unknown;
    try {
      policy = JSON.parse(attributes['FilterPolicy']);
    } catch {
      policy = undefined;
    }
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
      throw invalid('Invalid parameter: FilterPolicy: failed to parse JSON');
    }
  }
  const scope = attributes['FilterPolicyScope'];
  if (scope !== undefined && scope !== 'MessageAttributes' && scope !== 'MessageBody') {
    throw invalid('Invalid parameter: FilterPolicyScope: Invalid value');
  }
  const returnArn = params.get('ReturnSubscriptionArn') === 'true';
  const existing = subscriptions.find((s) => s.topicArn === topicArn && s.protocol === protocol && s.endpoint === endpoint);
  if (existing) {
    if (existing.confirmed && JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) {
      throw invalid('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
    }
    if (!existing.confirmed) existing.token = randomBytes(32).toString('hex');
    return existing.confirmed || returnArn ? existing.subscriptionArn : 'pending confirmation';
  }
  const confirmed = !CONFIRMED_BY_ENDPOINT.has(protocol);
  const subscription: StoredSubscription = {
    subscriptionArn: `${topicArn}:${randomUUID()}`,
    topicArn,
    protocol,
    endpoint,
    confirmed,
    token: randomBytes(32).toString('hex'),
    attributes,
    authenticateOnUnsubscribe: false,
  };
  subscriptions.push(subscription);
  return confirmed || returnArn ? subscription.subscriptionArn : 'pending confirmation';
}

/** `ConfirmSubscription`: the token from the confirmation mail confirms the pending subscription it was sent for. */
function confirmSubscription(
  params: URLSearchParams,
  topics: ReadonlySet<string>,
  subscriptions: StoredSubscription[],
): string {
  const topicArn = required(params, 'TopicArn');
  if (!topics.has(topicArn)) throw new SnsFault(404, 'NotFound', 'Topic does not exist');
  const token = required(params, 'Token');
  const subscription = subscriptions.find((s) => s.topicArn === topicArn && s.token === token);
  if (!subscription) throw invalid('Invalid token');
  subscription.confirmed = true;
  if (params.get('AuthenticateOnUnsubscribe') === 'true') subscription.authenticateOnUnsubscribe = true;
  return subscription.subscriptionArn;
}

/** Parses and validates a Publish the way SNS documents it. */
function publish(params: URLSearchParams, topics: ReadonlySet<string>): RecordedPublish {
  if (params.has('TargetArn') || params.has('PhoneNumber')) {
    throw invalid('Invalid parameter: only TopicArn is supported by this test server');
  }
  const topicArn = required(params, 'TopicArn');
  if (!topics.has(topicArn)) throw new SnsFault(404, 'NotFound', 'Topic does not exist');

  const message = params.get('Message');
  if (message === null || message === '') throw invalid('Invalid parameter: Empty message');

  const subject = params.get('Subject') ?? undefined;
  if (subject !== undefined) {
    // SNS: no line breaks or control characters, under 100 characters. This double is stricter and also refuses
    // non-ASCII, which SNS has documented as not allowed and replaces in some integrations.
    if (subject === '' || Array.from(subject).length >= 100 || /[^\x20-\x7E]/.test(subject)) {
      throw invalid('Invalid parameter: Subject');
    }
  }

  const messageStructure = params.get('MessageStructure') ?? undefined;
  if (messageStructure !== undefined) {
    if (messageStructure !== 'json') throw invalid('Invalid parameter: MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalid('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw invalid('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    const entries = Object.entries(parsed);
    if (!entries.some(([key, value]) => key === 'default' && typeof value === 'string')) {
      throw invalid('Invalid parameter: Message Structure - No default entry in JSON message body');
    }
    if (entries.some(([, value]) => typeof value !== 'string')) {
      throw invalid('Invalid parameter: Message Structure - JSON message values must be strings');
    }
  }

  const attributes = parseAttributes(params);
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, { dataType, value }] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(value);
  }
  if (bytes > MAX_MESSAGE_BYTES) throw invalid('Invalid parameter: Message too long');

  return {
    messageId: randomUUID(),
    topicArn,
    message,
    attributes,
    ...(subject !== undefined && { subject }),
    ...(messageStructure !== undefined && { messageStructure }),
  };
}

/** `MessageAttributes.entry.N.Name`, `.Value.DataType`, `.Value.StringValue` (or `.Value.BinaryValue`, base64). */
function parseAttributes(params: URLSearchParams): Record<string, RecordedAttribute> {
  const attributes: Record<string, RecordedAttribute> = {};
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = params.get(`${prefix}.Name`) ?? '';
    const dataType = params.get(`${prefix}.Value.DataType`) ?? '';
    const value = params.get(`${prefix}.Value.StringValue`) ?? params.get(`${prefix}.Value.BinaryValue`) ?? '';
    const bad = (why: string): SnsFault =>
      new SnsFault(400, 'ParameterValueInvalid', `The message attribute '${name}' ${why}.`);
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('AWS.') || name.startsWith('Amazon.')) {
      throw bad('has an invalid name');
    }
    if (!/^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/.test(dataType)) throw bad(`has an invalid type '${dataType}'`);
    if (value === '') throw bad('must contain a non-empty value');
    if (name in attributes) throw bad('is given more than once');
    if (dataType === 'String.Array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
      if (!Array.isArray(parsed) || !parsed.every(scalar)) throw bad('with type String.Array must be a JSON array');
    }
    if (dataType.startsWith('Number') && !Number.isFinite(Number(value))) throw bad('must be a number');
    attributes[name] = { dataType, value };
  }
  return attributes;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    throw invalid(`Invalid parameter: ${name} Reason: no value for required parameter`);
  }
  return value;
}

/** A successful answer; actions without a result (`Unsubscribe`) carry only the response metadata. */
function reply(res: ServerResponse, requestId: string, action: string, result?: string): void {
  send(
    res,
    200,
    requestId,
    `<${action}Response xmlns="${XMLNS}">${result === undefined ? '' : `<${action}Result>${result}</${action}Result>`}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

/**
 * Whether a subscription's filter policy (scope MessageAttributes) admits a publish, on the operators the watcher's
 * policies use: every key must match; its values are alternatives (exact string, `{prefix}`, `{exists}`,
 * `{"anything-but": {prefix}}`); a String.Array attribute matches when any element matches; a missing attribute matches
 * only `{exists: false}` (`anything-but` needs the attribute present, as SNS does).
 */
export function filterPolicyAdmits(
  policy: Readonly<Record<string, ReadonlyArray<string | Readonly<Record<string, unknown>>>>> | undefined,
  attributes: Readonly<Record<string, RecordedAttribute>>,
): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([key, alternatives]) => {
    const attribute = attributes[key];
    const values =
      attribute === undefined
        ? []
        : attribute.dataType === 'String.Array'
          ? (JSON.parse(attribute.value) as unknown[]).map(String)
          : [attribute.value];
    return alternatives.some((alternative) => {
      if (typeof alternative === 'string') return values.includes(alternative);
      if (typeof alternative['prefix'] === 'string') return values.some((v) => v.startsWith(alternative['prefix'] as string));
      if (typeof alternative['exists'] === 'boolean') return alternative['exists'] === (attribute !== undefined);
      const anythingBut = alternative['anything-but'] as Readonly<Record<string, unknown>> | undefined;
      if (typeof anythingBut?.['prefix'] === 'string') return values.some((v) => !v.startsWith(anythingBut['prefix'] as string));
      throw new Error(`filter-policy operator not modelled by the test server: ${JSON.stringify(alternative)}`);
    });
  });
}

function replyError(res: ServerResponse, requestId: string, fault: SnsFault): void {
  send(
    res,
    fault.status,
    requestId,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${xml(fault.code)}</Code><Message>${xml(fault.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

function send(res: ServerResponse, status: number, requestId: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId });
  res.end(body);
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () => new SnsFault(413, 'RequestEntityTooLarge', 'Request body too large');
  return (await readRequestBody(req, MAX_REQUEST_BYTES, tooLarge)).toString('utf8');
}
