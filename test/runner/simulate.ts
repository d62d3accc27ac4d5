/**
 * Stands in for the instances a test's gpu-runner launches: when an instance appears in the EC2
 * emulator, read the runner script from its user data, find the just-in-time config in it, and (in
 * `online` mode) mark that runner online in the GitHub emulator, as the real runner would once it
 * connected. What each instance carried is kept for assertions.
 */
import type { Ec2Emulator } from '../support/ec2/index.js';
import type { GitHubEmulator } from '../support/github/index.js';
import { actionsState } from '../support/github/runners.js';
import { jitConfigIn } from '../../src/runner/user-data.js';

export interface SimulatedInstance {
  instanceId: string;
  userData: string;
  jitConfig: string | undefined;
  runnerId: number | undefined;
}

export interface Simulation {
  instances: SimulatedInstance[];
  stop(): void;
}

export function simulateInstances(ec2emu: Ec2Emulator, gh: GitHubEmulator, options: { online: boolean; console?: string; onlineAfterMs?: number }): Simulation {
  const instances: SimulatedInstance[] = [];
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const instance of ec2emu.state.instances) {
      if (seen.has(instance.instanceId)) continue;
      seen.add(instance.instanceId);
      const userData = instance.request.userData ?? '';
      const jitConfig = jitConfigIn(userData);
      const runner = jitConfig ? actionsState(gh.state).runnerForJitConfig(jitConfig) : undefined;
      instances.push({ instanceId: instance.instanceId, userData, jitConfig, runnerId: runner?.id });
      if (options.console) ec2emu.appendConsoleOutput(instance.instanceId, options.console);
      if (options.online && runner) {
        const connect = () => actionsState(gh.state).runner(runner.id) && actionsState(gh.state).setRunnerStatus(runner.id, 'online');
        if (options.onlineAfterMs) setTimeout(connect, options.onlineAfterMs);
        else connect();
      }
    }
  }, 5);
  return { instances, stop: () => clearInterval(timer) };
}
