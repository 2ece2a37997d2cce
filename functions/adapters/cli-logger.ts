// The CLI's logger: one readable line per message on stderr, keys as key=value.
import type { Logger } from '../core/ports.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"]/.test(text) ? JSON.stringify(text) : text;
}

export function makeCliLogger(stream: NodeJS.WritableStream = process.stderr, minLevel: Level = 'warn'): Logger {
  const min = LEVELS.indexOf(minLevel);
  const write = (level: Level) => (message: string, keys: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < min) return;
    const pairs = Object.entries(keys)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    stream.write(`${level}: ${message}${pairs.length ? ` ${pairs.join(' ')}` : ''}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
