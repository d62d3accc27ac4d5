#!/usr/bin/env node
/** Entry of the `refit` bundle (dist/cli/index.js). Also serves as its own worker (data reads, bootstrap resamples). */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serveWorkerTask, WORKER_TASK } from '../drift/sources.js';
import { serveBootstrapWorker } from '../evaluate/index.js';
import { runCli } from './main.js';

if (serveBootstrapWorker()) {
  // A bootstrap worker of `refit evaluate` or `refit demo`: done.
} else if (!isMainThread && (workerData as { task?: string } | null)?.task === WORKER_TASK) {
  await serveWorkerTask(workerData, (reply, transfer) => parentPort!.postMessage(reply, transfer));
} else {
  const code = await runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    workerEntry: new URL(import.meta.url),
  });
  process.exitCode = code;
}
