/**
 * The region-wide API Gateway setting that lets stages write logs. WebSocket (and REST) stages cannot enable
 * access logging until the account has a CloudWatch role registered; HTTP APIs do not need it.
 *
 * @module
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The AWS managed policy API Gateway documents for its logging role. */
export const API_GATEWAY_LOGS_POLICY = 'service-role/AmazonAPIGatewayPushToCloudWatchLogs';

/**
 * A role API Gateway can assume to write logs, registered as the region's API Gateway account setting.
 * Both are retained on delete: the setting is shared by every API in the account and region, and deleting
 * the role would silently stop their logs.
 */
export class ApiGatewayAccount extends Construct {
  /** The role API Gateway assumes to write logs. */
  public readonly role: Role;
  /** The account setting; stages that log must be created after it. */
  public readonly account: CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName(API_GATEWAY_LOGS_POLICY)],
    });
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.account.node.addDependency(this.role);
  }
}
