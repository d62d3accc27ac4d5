/** Entry of the promote action bundle (dist/promote/index.js). */
import { run } from './run.js';

await run();
