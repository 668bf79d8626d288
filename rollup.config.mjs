import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const input = { index: 'src/index.ts', core: 'src/core.ts', server: 'src/server.ts', testing: 'src/testing.ts', iam: 'src/iam.ts' };
// axios and aws-amplify are the user's (peer dependencies), the signer is a dependency: never bundled.
const external = (id) => /^(axios|aws-amplify|@aws-amplify|@smithy|@aws-crypto)(\/|$)/.test(id);

export default [
  {
    input,
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared/[name].js' },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'shared/[name].cjs' },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'shared/[name].d.ts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'shared/[name].d.cts' },
    ],
  },
];
