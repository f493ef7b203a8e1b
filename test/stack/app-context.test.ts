import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readAppSettings } from '../../lib/app-context.js';
import { testApp } from './synth.js';

function settingsFor(context: Record<string, unknown>) {
  return readAppSettings(testApp({ context }).node);
}

describe('readAppSettings', () => {
  it('stage: defaults to prod, retained, in the stack without a suffix', () => {
    expect(settingsFor({})).toEqual({
      stackId: 'RealtimeWebSocketApi',
      stageName: 'prod',
      removalPolicy: RemovalPolicy.RETAIN,
      cloudWatchRole: false,
      demo: false,
      auth: true,
      publicChannels: [],
    });
  });

  it('stage: any other stage gets its own stack and is destroyed by default', () => {
    expect(settingsFor({ stage: 'dev' })).toEqual({
      stackId: 'RealtimeWebSocketApi-dev',
      stageName: 'dev',
      removalPolicy: RemovalPolicy.DESTROY,
      cloudWatchRole: false,
      demo: true,
      auth: true,
      publicChannels: [],
    });
  });

  it('demo: hosted for non-prod stages by default, and as the context says', () => {
    expect(settingsFor({ demo: 'true' }).demo).toBe(true);
    expect(settingsFor({ stage: 'dev', demo: false }).demo).toBe(false);
    expect(() => settingsFor({ demo: 'yes' })).toThrow(
      'Invalid context demo="yes": expected "true" or "false"',
    );
  });

  it('auth: on by default, off with auth=false, and nothing else', () => {
    expect(settingsFor({}).auth).toBe(true);
    expect(settingsFor({ auth: 'false' }).auth).toBe(false);
    expect(settingsFor({ auth: false }).auth).toBe(false);
    expect(() => settingsFor({ auth: 'off' })).toThrow(
      'Invalid context auth="off": expected "true" or "false"',
    );
  });

  it('publicChannels: comma-separated patterns, none by default', () => {
    expect(settingsFor({}).publicChannels).toEqual([]);
    expect(settingsFor({ publicChannels: 'news, public-*,' }).publicChannels).toEqual(['news', 'public-*']);
  });

  it('removalPolicy: retain keeps the resources of a non-prod stage', () => {
    expect(settingsFor({ stage: 'staging', removalPolicy: 'retain' }).removalPolicy).toBe(
      RemovalPolicy.RETAIN,
    );
  });

  it('removalPolicy: destroy applies to prod when asked for explicitly', () => {
    expect(settingsFor({ removalPolicy: 'destroy' }).removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  it('fails when removalPolicy is neither retain nor destroy', () => {
    expect(() => settingsFor({ removalPolicy: 'snapshot' })).toThrow(
      'Invalid context removalPolicy="snapshot": expected "retain" or "destroy"',
    );
  });

  it('fails when removalPolicy has the wrong case', () => {
    expect(() => settingsFor({ removalPolicy: 'RETAIN' })).toThrow(/removalPolicy="RETAIN"/);
  });

  it('fails when the stage cannot be part of a stack name', () => {
    expect(() => settingsFor({ stage: 'my_stage' })).toThrow(/Invalid context stage="my_stage"/);
    expect(() => settingsFor({ stage: '' })).toThrow(/Invalid context stage=""/);
  });

  it('fails with the value shown when the stage is not a string', () => {
    expect(() => settingsFor({ stage: { name: 'x' } })).toThrow(/stage="\{\\"name\\":\\"x\\"\}"/);
  });

  it('cloudWatchRole: registers the account-wide logging role only when asked for', () => {
    expect(settingsFor({}).cloudWatchRole).toBe(false);
    expect(settingsFor({ cloudWatchRole: 'true' }).cloudWatchRole).toBe(true);
    expect(settingsFor({ cloudWatchRole: true }).cloudWatchRole).toBe(true);
    expect(settingsFor({ cloudWatchRole: 'false' }).cloudWatchRole).toBe(false);
  });

  it('alarmEmail: passed on when set, absent otherwise (and when empty)', () => {
    expect(settingsFor({ alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(settingsFor({})).not.toHaveProperty('alarmEmail');
    expect(settingsFor({ alarmEmail: '' })).not.toHaveProperty('alarmEmail');
  });

  it('fails when cloudWatchRole is neither true nor false', () => {
    expect(() => settingsFor({ cloudWatchRole: 'yes' })).toThrow(
      'Invalid context cloudWatchRole="yes": expected "true" or "false"',
    );
  });

  it('stage: accepts a number from cdk.json as its string form', () => {
    expect(settingsFor({ stage: 2 }).stackId).toBe('RealtimeWebSocketApi-2');
  });
});
