// The poll dispatcher's Lambda handler as deployed: the plan from WATCHER_POLL_PLAN, the poll function from
// POLL_FUNCTION_NAME, the tenant-log function (stream sources) from STREAM_FUNCTION_NAME, and the real Lambda client
// invoking the Lambda test server over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { duePolls, planPolls, type PlannedSource } from '../../functions/core/poll-plan.js';
import { DispatchError, type DispatchSummary } from '../../functions/dispatch/dispatch-polls.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { SERVICE_ERROR, startLambdaTestServer, THROTTLED, type LambdaTestServer } from '../support/lambda-test-server.js';

const numbered = (count: number, prefix: string, everyMinutes: number): PlannedSource[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, everyMinutes }));

/** 60 sources, at least 24 due every minute. */
const SOURCES: PlannedSource[] = [
  ...numbered(24, 'status', 1),
  { id: 'changelog', everyMinutes: 15 },
  ...numbered(20, 'vendor', 5),
  ...numbered(5, 'feed', 15),
  ...numbered(2, 'advisories', 60),
  ...numbered(8, 'daily', 1440),
];
/** Stream sources (the tenant's logs), which the tenant-log function reads: `"target": "stream"` in the plan. */
const STREAM_SOURCES: PlannedSource[] = numbered(3, 'tenant-logs', 5);
const STREAM_IDS = new Set(STREAM_SOURCES.map((s) => s.id));
const PLAN = planPolls([...SOURCES, ...STREAM_SOURCES]);
/** A scheduled time as Scheduler sends it; a rate schedule fires at a fixed second of the minute. */
const SCHEDULED = '2026-11-30T06:07:23Z';
const minuteAfter = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

describe('poll dispatcher Lambda handler', () => {
  let lambda: LambdaTestServer;
  let pollArn: string;
  let streamArn: string;
  let handler: (event: { scheduledTime?: string } | undefined) => Promise<DispatchSummary>;

  beforeAll(async () => {
    lambda = await startLambdaTestServer();
    pollArn = lambda.createFunction('watcher-poll');
    streamArn = lambda.createFunction('watcher-tenant-logs');
    // What the stack sets: the plan compiled in (here an environment variable), the poll and tenant-log functions'
    // ARNs, the endpoint as the SDK reads it.
    Object.assign(process.env, {
      WATCHER_POLL_PLAN: JSON.stringify({ sources: [...SOURCES, ...STREAM_SOURCES.map((s) => ({ ...s, target: 'stream' }))] }),
      POLL_FUNCTION_NAME: pollArn,
      STREAM_FUNCTION_NAME: streamArn,
      ...localAwsEnv({}, 'ERROR'),
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    ({ handler } = await import('../../functions/dispatch/handler.js'));
  });

  afterAll(async () => {
    await lambda?.close();
  });

  beforeEach(() => {
    lambda.reset();
  });

  /** Runs the handler, returning the parsed log lines it wrote (Powertools writes errors to stderr, the rest to stdout). */
  async function withLogs<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; logs: Record<string, unknown>[] }> {
    const chunks: string[] = [];
    const streams = [process.stdout, process.stderr] as const;
    const writes = streams.map((stream) => stream.write.bind(stream));
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        chunks.push(String(chunk));
        return true;
      }) as typeof stream.write;
    }
    try {
      const [result] = await Promise.allSettled([work()]);
      const logs = chunks
        .flatMap((c) => c.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      return { result: result!, logs };
    } finally {
      streams.forEach((stream, i) => {
        stream.write = writes[i]!;
      });
    }
  }
  const invokedIds = () => lambda.invocations().map((i) => (JSON.parse(i.payload) as { sourceId: string }).sourceId);
  const attemptsOf = (sourceId: string) =>
    lambda.requests().filter((r) => r.payload === JSON.stringify({ sourceId })).map((r) => r.status);

  it('invokes each source due at the scheduled minute once, asynchronously, with {"sourceId": …}: feeds on the poll function, streams on the tenant-log function', async () => {
    const due = duePolls(PLAN, new Date(SCHEDULED));
    const { result, logs } = await withLogs(() => handler({ scheduledTime: SCHEDULED }));

    expect(result).toEqual({ status: 'fulfilled', value: { scheduledTime: '2026-11-30T06:07:23.000Z', due: due.length, invoked: due.length, failed: 0 } });
    expect(due.length).toBeGreaterThanOrEqual(24);
    expect(invokedIds().sort()).toEqual([...due].sort());
    for (const invocation of lambda.invocations()) {
      const { sourceId } = JSON.parse(invocation.payload) as { sourceId: string };
      expect(invocation).toEqual({
        functionArn: STREAM_IDS.has(sourceId) ? streamArn : pollArn,
        invocationType: 'Event',
        payload: expect.stringMatching(/^\{"sourceId":"[a-z0-9-]+"\}$/),
      });
    }
    expect(logs.filter((l) => l['message'] === 'polls dispatched')).toEqual([
      expect.objectContaining({ level: 'INFO', service: 'auth0-ops-watcher-dispatch', due: due.length, invoked: due.length, failed: 0 }),
    ]);
  });

  it('polls each source at its cadence over 15 consecutive scheduled minutes', async () => {
    await withLogs(async () => {
      for (let minute = 0; minute < 15; minute += 1) await handler({ scheduledTime: minuteAfter(SCHEDULED, minute) });
    });
    const counts = new Map<string, number>();
    for (const id of invokedIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
    const cadenceOf = new Map(SOURCES.map((s) => [s.id, s.everyMinutes]));
    for (const { id, everyMinutes } of SOURCES.filter((s) => s.everyMinutes <= 15)) {
      expect(counts.get(id), id).toBe(15 / everyMinutes);
    }
    // Hourly and daily sources: at most once in 15 minutes.
    expect([...counts].filter(([id, n]) => cadenceOf.get(id)! > 15 && n > 1)).toEqual([]);
  });

  it('invokes the tenant-log function for each stream source at its cadence, and never the poll function for one', async () => {
    await withLogs(async () => {
      for (let minute = 0; minute < 15; minute += 1) await handler({ scheduledTime: minuteAfter(SCHEDULED, minute) });
    });
    const byFunction = (arn: string) =>
      lambda
        .invocations()
        .filter((i) => i.functionArn === arn)
        .map((i) => (JSON.parse(i.payload) as { sourceId: string }).sourceId);
    const streamed = byFunction(streamArn);
    // Every 5 minutes: three times each in 15 minutes.
    expect(streamed.sort()).toEqual([...STREAM_IDS].flatMap((id) => [id, id, id]).sort());
    expect(byFunction(pollArn).filter((id) => STREAM_IDS.has(id))).toEqual([]);
  });

  it('keeps at most 8 invocations in flight', async () => {
    lambda.delayEach(30);
    const { result } = await withLogs(() => handler({ scheduledTime: SCHEDULED }));
    expect(result.status).toBe('fulfilled');
    expect(lambda.maxInFlight).toBe(8);
    expect(lambda.invocations()).toHaveLength(duePolls(PLAN, new Date(SCHEDULED)).length);
  });

  it('invokes the other sources when one keeps failing, logs it, and throws naming it', async () => {
    const due = duePolls(PLAN, new Date(SCHEDULED));
    const failing = due.find((id) => id.startsWith('vendor-'))!;
    lambda.failNext(Infinity, SERVICE_ERROR, ({ payload }) => payload === JSON.stringify({ sourceId: failing }));

    const { result, logs } = await withLogs(() => handler({ scheduledTime: SCHEDULED }));

    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as DispatchError;
    expect(error).toBeInstanceOf(DispatchError);
    expect(error.message).toBe(
      `1 of ${due.length} polls due at 2026-11-30T06:07:23.000Z were not invoked: ${failing} (Lambda Invoke failed: ` +
        'ServiceException: An internal error occurred. (HTTP 500, 4 attempts))',
    );
    expect(invokedIds().sort()).toEqual(due.filter((id) => id !== failing).sort());
    // The client's bounded retries: four attempts, then it gives up.
    expect(attemptsOf(failing)).toEqual([500, 500, 500, 500]);
    expect(logs.filter((l) => l['message'] === 'poll not invoked')).toEqual([
      expect.objectContaining({ level: 'ERROR', source: failing, reason: expect.stringContaining('ServiceException') }),
    ]);
    expect(logs.filter((l) => l['message'] === 'polls dispatched')).toEqual([
      expect.objectContaining({ due: due.length, invoked: due.length - 1, failed: 1 }),
    ]);
  });

  it('reports a refusal Lambda will not take back (function not found) after one attempt', async () => {
    const [first] = duePolls(PLAN, new Date(SCHEDULED));
    lambda.failNext(1, { status: 404, code: 'ResourceNotFoundException', message: `Function not found: ${pollArn}` }, ({ payload }) =>
      payload.includes(`"${first}"`),
    );
    const { result } = await withLogs(() => handler({ scheduledTime: SCHEDULED }));
    expect(result.status).toBe('rejected');
    expect(String((result as PromiseRejectedResult).reason)).toContain(`${first} (Lambda Invoke failed: ResourceNotFoundException`);
    expect(attemptsOf(first!)).toEqual([404]);
  });

  it('retries a throttled invocation (429 TooManyRequestsException) until Lambda accepts it', async () => {
    const due = duePolls(PLAN, new Date(SCHEDULED));
    const throttled = due.find((id) => id.startsWith('status-'))!;
    lambda.failNext(1, THROTTLED, ({ payload }) => payload === JSON.stringify({ sourceId: throttled }));

    const { result } = await withLogs(() => handler({ scheduledTime: SCHEDULED }));

    expect(result).toMatchObject({ status: 'fulfilled', value: { due: due.length, invoked: due.length, failed: 0 } });
    expect(attemptsOf(throttled)).toEqual([429, 202]);
    expect(invokedIds().filter((id) => id === throttled)).toHaveLength(1);
  });

  it('dispatches the current minute, with a warning, when the event has no usable scheduledTime', async () => {
    for (const event of [{}, { scheduledTime: '<aws.scheduler.scheduled-time>' }, undefined]) {
      lambda.reset();
      const { result, logs } = await withLogs(() => handler(event));
      expect(result.status).toBe('fulfilled');
      // Every-minute sources are due whatever the minute.
      expect(invokedIds()).toEqual(expect.arrayContaining(SOURCES.filter((s) => s.everyMinutes === 1).map((s) => s.id)));
      expect(logs.filter((l) => l['level'] === 'WARN')).toEqual([
        expect.objectContaining({ message: 'no usable scheduledTime in the event; dispatching the current minute' }),
      ]);
    }
  });
});
