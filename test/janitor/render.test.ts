/** The janitor's job summary escapes what it did not write (tags anyone with ec2:CreateTags can set). */
import { describe, expect, it } from 'vitest';
import { renderJanitorReport } from '../../src/janitor/index.js';

describe('renderJanitorReport', () => {
  it('counts the actions and escapes tag values and runner names', () => {
    const markdown = renderJanitorReport({
      dryRun: false,
      instances: [
        { instanceId: 'i-1', state: 'running', runId: '11', job: '<img src=x> | @admin', name: undefined, expiresAt: new Date('2024-01-01T00:00:00Z'), reasons: ['expired at 2024-01-01T00:00:00.000Z'], action: 'terminated' },
        { instanceId: 'i-2', state: 'running', runId: '12', job: 'train', name: undefined, expiresAt: undefined, reasons: [], action: 'kept' },
      ],
      runners: [{ id: 5, name: 'refit-11-1-a|b-aaaaaa', status: 'offline', runId: '11', reason: 'offline, run 11 completed (success)', action: 'deleted' }],
    });
    expect(markdown).toContain('Changes made. Instances terminated: 1 of 2; offline runners deleted: 1.');
    expect(markdown).toContain('&lt;img src=x&gt; \\| @\u200badmin');
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('`refit-11-1-a\\|b-aaaaaa`');
    expect(markdown).toContain('run in progress, not expired');
    const dry = renderJanitorReport({ dryRun: true, instances: [], runners: [], runnerError: 'no <permission>' });
    expect(dry).toContain('Dry run: nothing was changed');
    expect(dry).toContain('Runners were not swept: no &lt;permission&gt;');
  });
});
