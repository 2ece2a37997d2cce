// An EventBridge Scheduler schedule that invokes one watcher function through a role of its own: the role is assumed
// only by Scheduler for this account and may invoke that function and nothing else.
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';

export interface LambdaScheduleProps {
  /** The function the schedule invokes (asynchronously, as Scheduler always does). */
  readonly fn: lambda.Function;
  readonly schedule: scheduler.ScheduleExpression;
  readonly description: string;
  /** What the schedule sends the function. @default Scheduler's default input */
  readonly input?: scheduler.ScheduleTargetInput;
  /** Scheduler's retries of an invoke call Lambda refused; a run that throws is retried by Lambda, not by these. */
  readonly retryAttempts: number;
}

/** The schedule (`schedule`) and its role (`role`). */
export class LambdaSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LambdaScheduleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: props.description,
      schedule: props.schedule,
      target: new schedulerTargets.LambdaInvoke(props.fn, {
        role: this.role,
        input: props.input,
        retryAttempts: props.retryAttempts,
      }),
    });
    // On the role's policy resource, the one that holds the statement (the target's grant created it).
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    const functionId = Stack.of(props.fn).resolve((props.fn.node.defaultChild as lambda.CfnFunction).logicalId) as string;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'The LambdaInvoke target grants lambda:InvokeFunction on the function and on `<its ARN>:*`, its versions and ' +
        'aliases. The wildcard spans only qualifiers of this one function, which has none; the schedule invokes the ' +
        'unqualified ARN.',
    });
  }
}
