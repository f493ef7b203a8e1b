import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { findings } from './nag-findings.js';
import { logicalIdOf, synthRealtimeStack } from './synth.js';

// GIVEN a built page (one file is enough for the template) and the stack with and without the demo site.
const page = mkdtempSync(join(process.env.REALTIME_TEST_TMP ?? tmpdir(), 'demo-page-'));
writeFileSync(join(page, 'index.html'), '<!doctype html><title>demo</title>');
const withDemo = synthRealtimeStack({
  stageName: 'dev',
  demoSource: page,
  removalPolicy: RemovalPolicy.DESTROY,
});
const withoutDemo = synthRealtimeStack({ stageName: 'dev' });

describe('DemoSite (the demo page in S3 behind CloudFront)', { timeout: 30_000 }, () => {
  it('keeps the bucket private, encrypted and TLS-only', () => {
    withDemo.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
    });
    withDemo.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
          }),
        ]),
      },
    });
  });

  it('serves it through CloudFront with origin access control, HTTPS only, index.html at the root', () => {
    withDemo.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    withDemo.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
  });

  it("uploads the page with a config.json holding the stack's wss:// URL, and empties the bucket on destroy", () => {
    const deployments = withDemo.template.findResources('Custom::CDKBucketDeployment');
    const [deployment] = Object.values(deployments);
    expect(Object.keys(deployments)).toHaveLength(1);
    const properties = deployment?.Properties as Record<string, unknown>;
    expect(properties.SourceObjectKeys).toHaveLength(2);
    expect(properties.RetainOnDelete).toBe(false);
    withDemo.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    expect(properties.DistributionPaths).toEqual(['/*']);
    // The JSON source's deploy-time value is the stage URL, substituted for a marker by the deployment.
    const stageUrl = withDemo.stack.resolve(withDemo.stack.realtime.url);
    expect(JSON.stringify(properties.SourceMarkers)).toContain(JSON.stringify(stageUrl['Fn::Join'][1][1]));
  });

  it('outputs DemoUrl, and creates nothing of it without a demo source', () => {
    withDemo.template.hasOutput('DemoUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            {
              'Fn::GetAtt': [logicalIdOf(withDemo.stack.demo?.distribution ?? withDemo.stack), 'DomainName'],
            },
            '/',
          ],
        ],
      },
    });
    expect(withoutDemo.template.findOutputs('DemoUrl')).toEqual({});
    withoutDemo.template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    withoutDemo.template.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    expect(findings(withDemo.stack)).toEqual([]);
  });
});
