/**
 * The demo page in AWS: a private S3 bucket behind a CloudFront distribution (origin access control, so only
 * CloudFront can read the bucket), holding the bundled `web/` page and a `config.json` that points it at the
 * stack's `wss://` URL.
 *
 * @module
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Distribution, ResponseHeadersPolicy, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** Properties of a {@link DemoSite}. */
export interface DemoSiteProps {
  /** A directory holding the built page (`buildDemoToDirectory` in `web/build.ts`). */
  readonly source: string;
  /** The `wss://` URL the page connects to, written to its `config.json`. */
  readonly websocketUrl: string;
  /** `DESTROY` empties and deletes the bucket with the stack; `RETAIN` keeps both. */
  readonly removalPolicy: RemovalPolicy;
}

/** See the module comment. */
export class DemoSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution>.cloudfront.net/` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DemoSiteProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Realtime WebSocket API demo page',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
    });
    new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(props.source), Source.jsonData('config.json', { url: props.websocketUrl })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // With DESTROY the deployment empties the bucket on stack deletion, so the bucket can be deleted.
      retainOnDelete: props.removalPolicy !== RemovalPolicy.DESTROY,
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }
}
