/** The `refit` command line: dispatches to one function per command and maps errors to exit codes. */
import { describeError, isUserError } from '../errors.js';
import { VERSION } from '../version.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { driftCommand, profileCommand } from './drift.js';
import { evaluateCommand } from './evaluate.js';
import { promoteCommand, registryCommand, rollbackCommand } from './registry.js';
import { snapshotCommand } from './snapshot.js';
import { trainCommand } from './train.js';

const HELP = `refit ${VERSION}: keep production ML models fresh.

Commands:
  refit drift     compare a current data window with the reference (refit drift --help)
  refit check     decide whether to retrain, as the drift action does (refit check --help)
  refit profile   save a reference profile for later drift checks (refit profile --help)
  refit snapshot  pin the training data in a manifest (refit snapshot --help)
  refit evaluate  compare challenger and champion, as the evaluate action (refit evaluate --help)
  refit registry  list a model's versions or show one (refit registry --help)
  refit promote   register a trained model and make it the champion (refit promote --help)
  refit rollback  make an earlier version the champion again (refit rollback --help)
  refit train     run a training command as the train action does, with local processes (refit train --help)
  refit demo      the whole loop on the example data, locally (refit demo --help)
  refit help      this text
  refit version   print the version`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** The bundled entry's own URL, so reads can run on worker threads. */
  workerEntry?: URL;
}

/** Run the CLI; returns the exit code (0 ok, 2 user error, 1 internal error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'drift':
        return await driftCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'profile':
        return await profileCommand(rest, io);
      case 'snapshot':
        return await snapshotCommand(rest, io);
      case 'evaluate':
        return await evaluateCommand(rest, io);
      case 'registry':
        return await registryCommand(rest, io);
      case 'promote':
        return await promoteCommand(rest, io);
      case 'rollback':
        return await rollbackCommand(rest, io);
      case 'train':
        return await trainCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'version':
      case '--version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP + '\n');
        return 0;
      default:
        io.stderr(`refit: unknown command "${command}"\n\n${HELP}\n`);
        return 2;
    }
  } catch (error) {
    if (isUserError(error)) {
      io.stderr(`refit ${command}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`refit ${command}: internal error (please report it): ${describeError(error)}\n${error instanceof Error && error.stack ? error.stack + '\n' : ''}`);
    return 1;
  }
}
