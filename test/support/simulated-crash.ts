// Test support: a process that dies at a chosen point, simulated by a port (a store) that throws Crash there.

/** What a simulated process death throws: nothing in the code under test catches it as one of its own errors. */
export class Crash extends Error {
  override readonly name = 'Crash';
}

/**
 * `port` whose first call of `method` never happens: it throws {@link Crash}, as a process killed just before that
 * write would; later calls, and every other method, go through to `port`.
 */
export function crashingBeforeFirstCall<T extends object>(port: T, method: keyof T): T {
  let crashed = false;
  return new Proxy(port, {
    get(target, key) {
      const original = target[key as keyof T] as (...args: unknown[]) => Promise<unknown>;
      if (key !== method) return original.bind(target);
      return async (...args: unknown[]) => {
        if (!crashed) {
          crashed = true;
          throw new Crash(`crash before ${String(method)}`);
        }
        return original.apply(target, args);
      };
    },
  });
}
