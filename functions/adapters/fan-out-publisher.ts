// Sends each event to several outputs in order (local mode: console, jsonl, SNS).
import type { Publisher } from '../core/ports.js';

/** Publishes to every output; the first failure stops and is reported, so the event stays in the outbox. */
export function makeFanOutPublisher(outputs: readonly Publisher[]): Publisher {
  return {
    async publish(event) {
      for (const output of outputs) await output.publish(event);
    },
  };
}
