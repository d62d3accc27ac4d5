/** Entry of the train action bundle (dist/train/index.js). */
import { run } from './run.js';

await run();
