/** Entry of the gpu-runner action bundle (dist/gpu-runner/index.js). */
import { run } from './run.js';

await run();
