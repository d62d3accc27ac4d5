/** Entry of the janitor action bundle (dist/janitor/index.js). */
import { run } from './run.js';

await run();
