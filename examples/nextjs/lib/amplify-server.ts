import { createServerRunner } from '@aws-amplify/adapter-nextjs';
import { amplifyConfig } from './config';

type Runner = ReturnType<typeof createServerRunner>['runWithAmplifyServerContext'];
let runner: Runner | undefined;

/** `runWithAmplifyServerContext`, created once, on the first request (the config is read at run time). */
export const runWithAmplifyServerContext: Runner = (input) => {
  runner ??= createServerRunner({ config: amplifyConfig() }).runWithAmplifyServerContext;
  return runner(input);
};
