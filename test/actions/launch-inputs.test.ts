import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_ID, LAUNCH_INPUT_NAMES, parseTags, readLaunchInputs, runContext } from '../../src/actions/launch-inputs.js';
import type { LaunchInputName } from '../../src/actions/launch-inputs.js';

const reader = (values: Partial<Record<LaunchInputName, string>>) => (name: LaunchInputName) => values[name] ?? '';

describe('readLaunchInputs', () => {
  it('applies the documented defaults and splits lists on commas or newlines', () => {
    const s = readLaunchInputs(reader({ 'subnet-ids': 'subnet-a,\nsubnet-b', 'instance-types': 'g5.xlarge\ng4dn.xlarge' }));
    expect(s).toMatchObject({
      imageId: DEFAULT_IMAGE_ID,
      instanceTypes: ['g5.xlarge', 'g4dn.xlarge'],
      subnetIds: ['subnet-a', 'subnet-b'],
      market: 'on-demand',
      volumeSizeGb: 100,
      sshUser: 'ubuntu',
      maxRuntimeMinutes: 60,
      securityGroupIds: [],
      extraTags: {},
    });
  });

  it('names the input on bad values', () => {
    expect(() => readLaunchInputs(reader({}))).toThrow(/^input subnet-ids: required/);
    expect(() => readLaunchInputs(reader({ 'subnet-ids': 's', market: 'cheap' }))).toThrow(/^input market: "cheap"/);
    expect(() => readLaunchInputs(reader({ 'subnet-ids': 's', 'volume-size': '10.5' }))).toThrow(/^input volume-size/);
    expect(() => readLaunchInputs(reader({ 'subnet-ids': 's', 'max-runtime-minutes': '0' }))).toThrow(/^input max-runtime-minutes/);
    expect(() => parseTags('team')).toThrow(/^input tags: "team" is not key=value/);
  });

  it('reads every shared launch input', () => {
    const seen = new Set<string>();
    readLaunchInputs((name) => (seen.add(name), name === 'subnet-ids' ? 's' : ''));
    expect([...seen].sort()).toEqual([...LAUNCH_INPUT_NAMES].sort());
  });
});

it('runContext needs the runner environment', () => {
  expect(() => runContext({})).toThrow(/inside a GitHub Actions workflow run/);
  expect(runContext({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', GITHUB_JOB: 'train' })).toMatchObject({ owner: 'o', repo: 'r', runId: '7', runAttempt: '1', job: 'train' });
});
