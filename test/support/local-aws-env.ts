// Shared by the Lambda handler tests: the environment a handler reads on AWS, pointed at the local services.

/** Static credentials, a region, the endpoints as the SDK reads them (`AWS_ENDPOINT_URL_<SERVICE>`) and a log level. */
export function localAwsEnv(
  endpoints: { readonly dynamodb?: string; readonly sns?: string },
  logLevel: 'ERROR' | 'CRITICAL' = 'CRITICAL',
): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...(endpoints.dynamodb !== undefined && { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb }),
    ...(endpoints.sns !== undefined && { AWS_ENDPOINT_URL_SNS: endpoints.sns }),
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}
