import { Results } from './results';

export default function Home() {
  return (
    <main>
      <h1>axios-amplify-auth on the server</h1>
      <p>
        Each button calls the API from the server, through axios with <code>fromServerContext(fetchAuthSession, contextSpec)</code>.
      </p>
      <Results />
      <p>
        <a id="server-component-link" href="/server-component">
          Server Component
        </a>{' '}
        (renders the API's answer on the server)
      </p>
    </main>
  );
}
