// The delivery boundary's port: one delivery record per event and destination, claimed before posting and completed
// after (functions/adapters/dynamo-delivery-store.ts keeps them in the watcher's table).

export interface DeliveryClaimRequest {
  readonly now: string;
  /** Names this attempt: its heartbeats, its release and the claims it makes in the channel's own state carry it. */
  readonly token: string;
  /** A holder with no sign of life (claim or heartbeat) since before this has died; its claim may be taken over. */
  readonly deadBefore: string;
  /** A claim taken before this may be taken over however alive its holder looks. */
  readonly staleBefore: string;
}

export type DeliveryClaim =
  /** Nobody delivered this event to this destination yet: go ahead. */
  | { readonly outcome: 'claimed' }
  /** An earlier attempt claimed it at `since` and died or gave up: it may have posted; look before posting again. */
  | { readonly outcome: 'reclaimed'; readonly since: string }
  /** Already delivered. */
  | { readonly outcome: 'done' }
  /** Another attempt is delivering it right now; its last sign of life was at `aliveAt`. */
  | { readonly outcome: 'busy'; readonly aliveAt: string };

/** A delivery record as stored. */
export interface DeliveryRecord {
  readonly status: 'sending' | 'done';
  readonly claimedAt?: string;
  /** The holder's last heartbeat (its claim time until the first); absent on claims of versions without heartbeats. */
  readonly aliveAt?: string;
  readonly claimToken?: string;
  /** What the channel answered the post with (Slack: the message's ts); absent where it answers nothing. */
  readonly ts?: string;
}

/**
 * The delivery records of one channel type, keyed by destination (the channel plug-in's `destinationKey`: a Slack
 * channel ID, `webhook:<route id>`). Every write is conditional where two attempts could race.
 */
export interface DeliveryStore {
  claimDelivery(destination: string, eventId: string, request: DeliveryClaimRequest): Promise<DeliveryClaim>;
  /** A heartbeat of the holder of a claim; false when the claim is no longer this holder's (taken over or done). */
  renewDelivery(destination: string, eventId: string, token: string, now: string): Promise<boolean>;
  /** Records the delivery as done, with what the channel answered (`receipt`), kept until `expiresAt` (epoch seconds). */
  completeDelivery(destination: string, eventId: string, receipt: string | undefined, expiresAt: number): Promise<void>;
  /** Gives a claim back after a failed attempt, so the next attempt need not wait; only the holder's own claim. */
  releaseDelivery(destination: string, eventId: string, token: string): Promise<void>;
  /** The delivery record of an event, strongly consistent; undefined when there is none. */
  getDelivery(destination: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** Whether the event was delivered to the destination (its delivery record is complete); a strongly consistent read. */
  isDelivered(destination: string, eventId: string): Promise<boolean>;
}
