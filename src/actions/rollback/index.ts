/** Entry of the rollback action bundle (dist/rollback/index.js). */
import { run } from './run.js';

await run();
