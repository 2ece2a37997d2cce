// Compliance checks over the whole app: cdk-nag's AwsSolutions pack as a CDK validation plugin, so `cdk synth`,
// `cdk deploy` and the infrastructure tests fail on any finding that is neither fixed nor acknowledged with a reason.
import { type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Registers the AwsSolutions rules on `app` (an App or a Stage). cdk-nag 3 is a policy-validation plugin, not an Aspect:
 * it runs once the templates are synthesized and fails synthesis on any unacknowledged error or warning.
 * Acknowledgments live next to the resource they are about (`Validations.of(construct).acknowledge`), each with its
 * reason, and are copied into the template as each resource's `cdk_nag` metadata, so the deployed stack shows them too.
 */
export function addCdkNagChecks(app: Stage): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
}
