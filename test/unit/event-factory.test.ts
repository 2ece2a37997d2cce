// Ids and fingerprints must not move between releases: consumers deduplicate on ids, the store compares fingerprints.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash, eventId } from '../../functions/core/event-factory.js';

describe('eventId and contentHash', () => {
  it('are SHA-256 digests of the UTF-8 text, cut to 32 hex and 22 base64url characters', () => {
    for (const text of ['', 'abc', 'Résolu — “quoted” ✓', '\u0000x', 'x'.repeat(5000)]) {
      expect(contentHash(text)).toBe(createHash('sha256').update(text).digest('base64url').slice(0, 22));
    }
    expect(eventId('auth0-status-us-1', 'rb4z1181bd4z', 'opened')).toBe(
      createHash('sha256').update('auth0-status-us-1\u0000rb4z1181bd4z\u0000opened').digest('hex').slice(0, 32),
    );
  });

  it('stay the values already stored', () => {
    expect(contentHash('This incident has been resolved.')).toBe('wdU5r6JURWohGQQbk2wfhX');
    expect(eventId('s', 'i', 'c')).toBe('26c073c939168ce09c376aec84aa305c');
  });
});
