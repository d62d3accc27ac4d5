/** Post step of the train action (dist/train/post.js): terminate whatever the run launched, whatever happened. */
import { post } from './run.js';

await post();
