import { UserError } from '../errors.js';

/** The AWS region: the `region` input, else AWS_REGION / AWS_DEFAULT_REGION (aws-actions/configure-aws-credentials sets them). */
export function awsRegion(input: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = input || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!chosen) throw new UserError('input region: not set, and neither is AWS_REGION; give the region (aws-actions/configure-aws-credentials sets AWS_REGION).');
  return chosen;
}
