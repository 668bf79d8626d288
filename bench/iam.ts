// `npm run bench`, section 9: what signing costs per request with axios-amplify-auth/iam, against
// bare axios and against aws4-axios with a hand-written credentials provider, for a small JSON body
// and a 1 MiB binary one. In-process adapter: no network hides the cost.
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { aws4Interceptor } from 'aws4-axios';
import { installAmplifyIam } from 'axios-amplify-auth/iam';
import { median, range } from './measure.js';

const credentials = {
  accessKeyId: 'ASIABENCHEXAMPLE0001',
  secretAccessKey: 'bench/secret+key=',
  sessionToken: 'FwoGZXIvYXdzEBench/token==',
  expiration: new Date(Date.now() + 3_600_000),
};
const ok: AxiosAdapter = async (config) => ({ data: {}, status: 200, statusText: 'OK', headers: {}, config });
const baseURL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

function instances(): Array<[string, AxiosInstance]> {
  const bare = axios.create({ baseURL, adapter: ok });
  const plugin = axios.create({ baseURL, adapter: ok });
  installAmplifyIam(plugin, { region: 'eu-west-1', service: 'execute-api', credentials: async () => credentials });
  const aws4 = axios.create({ baseURL, adapter: ok });
  // aws4-axios with the provider an app writes by hand: no expiry handling of its own.
  aws4.interceptors.request.use(
    aws4Interceptor({ options: { region: 'eu-west-1', service: 'execute-api' }, credentials: { getCredentials: async () => credentials } }),
  );
  return [
    ['bare axios', bare],
    ['axios-amplify-auth/iam', plugin],
    ['aws4-axios 3.4', aws4],
  ];
}

async function microsPerRequest(instance: AxiosInstance, body: unknown, count: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < count; sent++)
    await instance.post('/prod/items?q=a%20b', body, { headers: { 'Content-Type': 'application/octet-stream' } });
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

/** Rows of section 9, as [case, implementation, result, configuration, target]. */
export async function signingOverhead(rounds = 7): Promise<string[][]> {
  const made = instances();
  const rows: string[][] = [];
  for (const [label, body, count] of [
    ['small JSON body', JSON.stringify({ item: 'book', qty: 1 }), 500],
    // A Buffer: aws4-axios cannot sign the ArrayBuffer axios makes of a Uint8Array (aws4 hashes with Node's crypto).
    ['1 MiB body', Buffer.from(new Uint8Array(1 << 20).map((_, i) => i & 255)), 20],
  ] as const) {
    for (const [, instance] of made) await microsPerRequest(instance, body, Math.ceil(count / 5)); // warm-up
    const samples = made.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (const [index, [, instance]] of made.entries()) samples[index]!.push(await microsPerRequest(instance, body, count));
    }
    const bare = median(samples[0]!);
    const overheadOf = (index: number) => median(samples[index]!) - bare;
    made.forEach(([name], index) => {
      const micros = median(samples[index]!);
      const target = index === 1 ? `less overhead than aws4-axios ${overheadOf(1) < overheadOf(2) ? '✓' : '✗'}` : '';
      rows.push([
        `9. IAM signing (${label})`,
        name,
        `${micros.toFixed(1)} µs/request (rounds ${range(samples[index]!, 1)})${index ? `, +${overheadOf(index).toFixed(1)} µs over bare` : ''}`,
        `${rounds} rounds × ${count} POSTs, median (range)`,
        target,
      ]);
    });
  }
  return rows;
}
