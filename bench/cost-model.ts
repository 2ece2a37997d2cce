// The monthly AWS bill of a deployment, from the measured per-poll figures, the synthesized template and list prices.
// docs/cost.md explains every line; keep the two in step.

/**
 * Public list prices, us-east-1, USD, as published on the AWS pricing pages and known on 2026-11-26 (not fetched live:
 * check https://aws.amazon.com/pricing before relying on them). Free tiers are the "always free" ones, per account.
 */
export const PRICES = {
  date: '2026-11-26',
  region: 'us-east-1',
  lambda: {
    /** Arm (Graviton), first 6 billion GB-seconds a month; the stack deploys arm64. */
    perGbSecondArm: 0.0000133334,
    perRequest: 0.2 / 1e6,
    freeRequests: 1_000_000,
    freeGbSeconds: 400_000,
  },
  dynamodb: {
    /** On-demand, standard table class (prices after the November 2024 reduction). */
    perReadRequestUnit: 0.125 / 1e6,
    perWriteRequestUnit: 0.625 / 1e6,
    perGbMonthStorage: 0.25,
    freeStorageGb: 25,
    perGbMonthPitr: 0.2,
  },
  sns: {
    perPublish: 0.5 / 1e6,
    freePublishes: 1_000_000,
    perEmail: 2.0 / 100_000,
    freeEmails: 1_000,
    /** Deliveries to Lambda and SQS subscribers are free. */
  },
  cloudwatch: {
    /** Standard-resolution alarm, per alarm metric and month. */
    perAlarm: 0.1,
    freeAlarms: 10,
    /** Custom metrics (the EMF metrics the poller logs), per metric and month, prorated by the hour. */
    perMetric: 0.3,
    freeMetrics: 10,
    perGbLogIngested: 0.5,
    perGbMonthLogStored: 0.03,
    /** Ingestion, storage and Logs Insights scans together. */
    freeLogGb: 5,
    /** CloudWatch Logs bills 26 bytes of metadata per log event on top of the message. */
    bytesPerLogEventOverhead: 26,
  },
  kms: {
    /** A customer managed key, per month (prorated hourly); the stack creates none. */
    perKeyMonth: 1.0,
  },
  sqs: {
    /** Standard queues, per request (each 64 KB of a payload is one request); the first million a month free. */
    perRequest: 0.4 / 1e6,
    freeRequests: 1_000_000,
  },
  /**
   * Free at this scale: EventBridge Scheduler (14 million invocations a month free; the stack's schedules make about
   * 43,000), SSM Parameter Store standard parameters and standard throughput (SecureString included), data transfer in,
   * and the first 100 GB a month out.
   */
  secretsManagerPerSecretMonth: 0.4,
} as const;

/** Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. */
const FULL_VCPU_MB = 1769;
const MINUTES_PER_MONTH = 30 * 24 * 60;

export interface MeasuredInputs {
  /** Per unchanged poll: read request units consumed and DynamoDB writes (0 between heartbeats). */
  readonly unchangedReadUnits: number;
  readonly unchangedWriteUnits: number;
  /** The heartbeat: write request units once an hour per source. */
  readonly heartbeatWriteUnits: number;
  /** A changed poll of a realistic feed (the status fixture, one incident gets one update). */
  readonly changedReadUnits: number;
  readonly changedWriteUnits: number;
  readonly changedPublishes: number;
  /** CPU milliseconds of a warm unchanged poll of the bundled handler (median), on this machine. */
  readonly unchangedCpuMs: number;
  /** Bytes the handler logs per unchanged poll (its own JSON log line and the EMF metric document). */
  readonly unchangedLogBytes: number;
  /** Import time of the poll bundle in a fresh process, milliseconds (median). */
  readonly pollImportMs: number;
}

export interface DeploymentShape {
  /** Poll interval of each source, minutes. */
  readonly sourceEveryMinutes: readonly number[];
  readonly alarms: number;
  readonly kmsKeys: number;
  readonly secretsManagerSecrets: number;
  /** Custom metrics: what the EMF documents create (one without dimensions; with detailed monitoring one per source too). */
  readonly customMetrics: number;
  readonly slackRoutes: number;
  readonly emailAlertAddresses: number;
  readonly digestRunsPerMonth: number;
  readonly logRetentionMonths: number;
  /** Memory of the poll dispatcher, MB (it runs every minute whatever the number of sources). */
  readonly dispatcherMemoryMb: number;
}

/** What is assumed rather than measured; docs/cost.md states and justifies each. */
export const ASSUMPTIONS = {
  /** Waiting on the network per unchanged poll on AWS: the conditional GET to the vendor and one GetItem. */
  networkMsPerPoll: 150,
  /** Changed polls (bodies that changed) per source and month, hence events: status pages change a few times a week. */
  changedPollsPerSourceMonth: 30,
  /** Events per changed poll. */
  eventsPerChangedPoll: 1,
  /** Share of events routed to Slack and to each email address. */
  eventsToSlackShare: 1,
  eventsToEmailShare: 0.5,
  /** Billed duration of a changed poll, of a Slack delivery and of a digest run, milliseconds. */
  changedPollMs: 1500,
  slackDeliveryMs: 1500,
  digestRunMs: 3000,
  /**
   * Cold starts of the poll function: sources due in the same minute run in parallel environments, and Lambda recycles
   * idle ones; counted as one cold start per source and hour, which is more than a minute-by-minute schedule causes.
   */
  coldStartsPerSourceMonth: 30 * 24,
  /** Runtime bootstrap before the handler module loads, milliseconds (init is billed since 2025-08-01). */
  runtimeInitMs: 100,
  /** Lambda platform log lines per invocation (START, END, REPORT) and their bytes. */
  platformLogEvents: 3,
  platformLogBytes: 350,
  /** Log events the poll handler writes per poll (its log line, the EMF document). */
  handlerLogEvents: 2,
  /** DynamoDB data: tracked items and 90 days of event log, GB. */
  tableGb: 0.005,
  /** Billed duration of a dispatcher run: a few asynchronous invoke calls of about 20 ms each, milliseconds. */
  dispatchRunMs: 100,
  /** Log bytes of a dispatcher run: its one `polls dispatched` line and Lambda's START, END and REPORT lines. */
  dispatchLogBytes: 650,
  /**
   * ReceiveMessage requests an event source mapping makes on an idle queue, per month: Lambda's pollers long-poll
   * (20 s) continuously, counted as five pollers, 15 requests a minute. AWS does not document the number; reports of
   * idle queues with a Lambda trigger are of this order.
   */
  idleQueueReceivesPerMonth: 5 * 3 * 30 * 24 * 60,
  /** SQS requests per event delivered to a route: SNS's send, the mapping's receive and its delete. */
  sqsRequestsPerDelivery: 3,
} as const;

export interface CostLine {
  readonly item: string;
  readonly listUsd: number;
  /** The same after the always-free tiers (a dedicated account). */
  readonly freeTierUsd: number;
  readonly fixed: boolean;
}

export interface CostEstimate {
  readonly memoryMb: number;
  readonly polls: number;
  readonly lines: readonly CostLine[];
  readonly totalListUsd: number;
  readonly totalFreeTierUsd: number;
  readonly fixedListUsd: number;
  readonly variableListUsd: number;
}

const afterFree = (units: number, free: number, price: number) => Math.max(0, units - free) * price;

export function estimateMonthlyCost(measured: MeasuredInputs, shape: DeploymentShape, memoryMb: number): CostEstimate {
  const p = PRICES;
  const a = ASSUMPTIONS;
  const gb = memoryMb / 1024;
  const sources = shape.sourceEveryMinutes.length;
  const polls = shape.sourceEveryMinutes.reduce((sum, every) => sum + MINUTES_PER_MONTH / every, 0);
  const changedPolls = sources * a.changedPollsPerSourceMonth;
  const unchangedPolls = polls - changedPolls;
  const events = changedPolls * a.eventsPerChangedPoll;

  // Lambda: the poll (unchanged and changed), cold starts (INIT is billed), Slack deliveries and digest runs.
  const cpuScale = Math.max(1, FULL_VCPU_MB / memoryMb);
  const unchangedMs = Math.ceil(a.networkMsPerPoll + measured.unchangedCpuMs * cpuScale);
  const coldStarts = sources * a.coldStartsPerSourceMonth;
  const slackDeliveries = events * a.eventsToSlackShare * shape.slackRoutes;
  const gbSeconds =
    (unchangedPolls * unchangedMs + changedPolls * a.changedPollMs + coldStarts * (a.runtimeInitMs + measured.pollImportMs)) / 1000 * gb +
    (slackDeliveries * a.slackDeliveryMs + shape.digestRunsPerMonth * a.digestRunMs) / 1000 * gb;
  const dispatchRuns = MINUTES_PER_MONTH;
  const dispatchGbSeconds = (dispatchRuns * a.dispatchRunMs) / 1000 * (shape.dispatcherMemoryMb / 1024);
  const requests = polls + slackDeliveries + shape.digestRunsPerMonth + dispatchRuns;

  // DynamoDB on demand: every poll reads the source record; heartbeats hourly; changed polls as measured.
  const readUnits = unchangedPolls * measured.unchangedReadUnits + changedPolls * measured.changedReadUnits + slackDeliveries * 2;
  const writeUnits =
    unchangedPolls * measured.unchangedWriteUnits +
    sources * (MINUTES_PER_MONTH / 60) * measured.heartbeatWriteUnits +
    changedPolls * measured.changedWriteUnits +
    slackDeliveries * 4;

  // SNS: one publish per event (and per digest); email notifications per address.
  const publishes = events * measured.changedPublishes + shape.digestRunsPerMonth;
  const emails = events * a.eventsToEmailShare * shape.emailAlertAddresses + shape.digestRunsPerMonth;

  // CloudWatch Logs: what each poll logs, the platform lines, and the per-event overhead.
  const bytesPerPoll =
    measured.unchangedLogBytes + a.platformLogBytes + (a.platformLogEvents + a.handlerLogEvents) * p.cloudwatch.bytesPerLogEventOverhead;
  const logGb = (polls * bytesPerPoll + (slackDeliveries + shape.digestRunsPerMonth) * 2_000 + dispatchRuns * a.dispatchLogBytes) / 1e9;

  // SQS: each Slack route's queue, polled by its event source mapping around the clock, and the events through it.
  const sqsRequests = shape.slackRoutes * a.idleQueueReceivesPerMonth + slackDeliveries * a.sqsRequestsPerDelivery;
  const storedGb = logGb * shape.logRetentionMonths;

  const lines: CostLine[] = [
    {
      item: `Lambda requests (${fmt(requests)})`,
      listUsd: requests * p.lambda.perRequest,
      freeTierUsd: afterFree(requests, p.lambda.freeRequests, p.lambda.perRequest),
      fixed: false,
    },
    {
      item: `Lambda duration (${fmt(gbSeconds)} GB-s at ${memoryMb} MB; unchanged poll ≈ ${unchangedMs} ms billed)`,
      listUsd: gbSeconds * p.lambda.perGbSecondArm,
      freeTierUsd: afterFree(gbSeconds, p.lambda.freeGbSeconds, p.lambda.perGbSecondArm),
      fixed: false,
    },
    {
      item: `Poll dispatcher duration (${fmt(dispatchRuns)} runs, ${fmt(dispatchGbSeconds)} GB-s at ${shape.dispatcherMemoryMb} MB)`,
      listUsd: dispatchGbSeconds * p.lambda.perGbSecondArm,
      freeTierUsd: afterFree(dispatchGbSeconds, Math.max(0, p.lambda.freeGbSeconds - gbSeconds), p.lambda.perGbSecondArm),
      fixed: true,
    },
    {
      item: `SQS requests (${fmt(sqsRequests)}: ${shape.slackRoutes} Slack route queue${shape.slackRoutes === 1 ? '' : 's'} polled around the clock)`,
      listUsd: sqsRequests * p.sqs.perRequest,
      freeTierUsd: afterFree(sqsRequests, p.sqs.freeRequests, p.sqs.perRequest),
      fixed: true,
    },
    {
      item: `DynamoDB reads (${fmt(readUnits)} RRU)`,
      listUsd: readUnits * p.dynamodb.perReadRequestUnit,
      freeTierUsd: readUnits * p.dynamodb.perReadRequestUnit,
      fixed: false,
    },
    {
      item: `DynamoDB writes (${fmt(writeUnits)} WRU)`,
      listUsd: writeUnits * p.dynamodb.perWriteRequestUnit,
      freeTierUsd: writeUnits * p.dynamodb.perWriteRequestUnit,
      fixed: false,
    },
    {
      item: 'DynamoDB storage and point-in-time recovery',
      listUsd: a.tableGb * (p.dynamodb.perGbMonthStorage + p.dynamodb.perGbMonthPitr),
      freeTierUsd: a.tableGb * p.dynamodb.perGbMonthPitr,
      fixed: true,
    },
    {
      item: `SNS publishes (${fmt(publishes)}) and email notifications (${fmt(emails)})`,
      listUsd: publishes * p.sns.perPublish + emails * p.sns.perEmail,
      freeTierUsd: afterFree(publishes, p.sns.freePublishes, p.sns.perPublish) + afterFree(emails, p.sns.freeEmails, p.sns.perEmail),
      fixed: false,
    },
    {
      item: `CloudWatch Logs (${fmt(logGb * 1000)} MB ingested, ${shape.logRetentionMonths} month kept)`,
      listUsd: logGb * p.cloudwatch.perGbLogIngested + storedGb * p.cloudwatch.perGbMonthLogStored,
      freeTierUsd:
        afterFree(logGb, p.cloudwatch.freeLogGb, p.cloudwatch.perGbLogIngested) +
        afterFree(storedGb, Math.max(0, p.cloudwatch.freeLogGb - logGb), p.cloudwatch.perGbMonthLogStored),
      fixed: false,
    },
    {
      item: `CloudWatch alarms (${shape.alarms})`,
      listUsd: shape.alarms * p.cloudwatch.perAlarm,
      freeTierUsd: afterFree(shape.alarms, p.cloudwatch.freeAlarms, p.cloudwatch.perAlarm),
      fixed: true,
    },
    {
      item: `CloudWatch custom metrics (${shape.customMetrics})`,
      listUsd: shape.customMetrics * p.cloudwatch.perMetric,
      freeTierUsd: afterFree(shape.customMetrics, p.cloudwatch.freeMetrics, p.cloudwatch.perMetric),
      fixed: true,
    },
    {
      item: `KMS customer managed keys (${shape.kmsKeys})`,
      listUsd: shape.kmsKeys * p.kms.perKeyMonth,
      freeTierUsd: shape.kmsKeys * p.kms.perKeyMonth,
      fixed: true,
    },
    {
      item: `Secrets Manager secrets (${shape.secretsManagerSecrets}; SSM SecureString parameters are free)`,
      listUsd: shape.secretsManagerSecrets * p.secretsManagerPerSecretMonth,
      freeTierUsd: shape.secretsManagerSecrets * p.secretsManagerPerSecretMonth,
      fixed: true,
    },
  ];
  const sum = (f: (l: CostLine) => number, filter: (l: CostLine) => boolean = () => true) =>
    lines.filter(filter).reduce((s, l) => s + f(l), 0);
  return {
    memoryMb,
    polls,
    lines,
    totalListUsd: sum((l) => l.listUsd),
    totalFreeTierUsd: sum((l) => l.freeTierUsd),
    fixedListUsd: sum((l) => l.listUsd, (l) => l.fixed),
    variableListUsd: sum((l) => l.listUsd, (l) => !l.fixed),
  };
}

/** A count as the cost lines print it: whole and grouped from 100, one decimal below. */
export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}
