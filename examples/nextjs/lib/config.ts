// Read at request time (never inlined at build time): `next start` gets them from its environment.
export interface ExampleConfig {
  userPoolId: string;
  userPoolClientId: string;
  /** Optional: a Cognito-compatible endpoint (a local Cognito in the tests). */
  userPoolEndpoint: string | undefined;
  /** The API the server calls with the user's token. */
  apiUrl: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`examples/nextjs: set ${name} in the environment of \`next start\``);
  return value;
}

export function exampleConfig(): ExampleConfig {
  return {
    userPoolId: required('AMPLIFY_USER_POOL_ID'),
    userPoolClientId: required('AMPLIFY_USER_POOL_CLIENT_ID'),
    userPoolEndpoint: process.env.AMPLIFY_USER_POOL_ENDPOINT || undefined,
    apiUrl: required('API_URL'),
  };
}

/** `Amplify.configure`'s argument, the same on the server and in the browser. */
export function amplifyConfig() {
  const { userPoolId, userPoolClientId, userPoolEndpoint } = exampleConfig();
  return { Auth: { Cognito: { userPoolId, userPoolClientId, ...(userPoolEndpoint ? { userPoolEndpoint } : {}) } } };
}
