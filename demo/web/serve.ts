// `npm run demo:web`: the demo page on 127.0.0.1, until Ctrl-C.
import { startDemoWeb } from './server.js';

const demo = await startDemoWeb();
process.stdout.write(`axios-amplify-auth demo page: ${demo.url}\n(local Cognito and API running; Ctrl-C to stop)\n`);
const stop = async () => {
  await demo.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
