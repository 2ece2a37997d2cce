// The tenant-log detectors: what the stream use case and the digest need.
export { activeDeprecations, type ActiveDeprecation } from './deprecations.js';
export { detectTenantLogs, emptyTenantDetectorState, makeTenantGapEvent, type DetectOptions } from './detect-tenant-logs.js';
export { DEFAULT_TENANT_DETECTOR_SETTINGS, tenantDetectorSettings, type TenantDetectorSettings } from './settings.js';
export type { TenantDetectorContext, TenantDetectorState } from './state.js';
export { DETECTED_LOG_TYPES, kindOfLogType, type TenantLogRecord } from './log-fields.js';
