// Shared by the test servers (feed, SNS, Slack, Lambda, the DynamoDB fault proxy): listening on loopback, closing
// without waiting for clients, reading request bodies with a cap, and delays that closing can cancel.
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackListener {
  readonly port: number;
  /** Stops listening and cuts every open connection (kept-alive sockets, responses a test left hanging). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port. */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The whole request body; more than `maxBytes` throws what `tooLarge` makes. */
export async function readRequestBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Waits `ms`, keeping the timer in `timers` until it fires, so that a server's close can clear the ones pending. */
export function trackedSleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
