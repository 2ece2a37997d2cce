// The Lambda logger: Powertools structured JSON logs behind the Logger port.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../core/ports.js';
import { SERVICE_NAMES } from '../contract.js';

export function makePowertoolsLogger(serviceName: string = SERVICE_NAMES.poll): Logger & { readonly powertools: PowertoolsLogger } {
  const logger = new PowertoolsLogger({ serviceName });
  return {
    powertools: logger,
    debug: (message, keys = {}) => logger.debug(message, keys),
    info: (message, keys = {}) => logger.info(message, keys),
    warn: (message, keys = {}) => logger.warn(message, keys),
    error: (message, keys = {}) => logger.error(message, keys),
  };
}
