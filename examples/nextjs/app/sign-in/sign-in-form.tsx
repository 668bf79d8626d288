'use client';

import { signIn, signOut } from 'aws-amplify/auth';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';

/** Signs in in the browser, Amplify's way: the tokens land in cookies (`ssr: true`). */
export function SignInForm() {
  const router = useRouter();
  const [error, setError] = useState<string>();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(undefined);
    try {
      await signOut().catch(() => undefined); // whoever was signed in before
      const { isSignedIn, nextStep } = await signIn({
        username: String(form.get('username')),
        password: String(form.get('password')),
        options: { authFlowType: 'USER_PASSWORD_AUTH' },
      });
      if (!isSignedIn) throw new Error(`sign-in needs another step: ${nextStep.signInStep}`);
      router.push('/');
    } catch (caught) {
      setError(caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught));
    }
  }
  return (
    <form onSubmit={submit}>
      <label>
        Username <input name="username" autoComplete="username" />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" />
      </label>
      <button type="submit">Sign in</button>
      {error ? <p id="sign-in-error">{error}</p> : null}
    </form>
  );
}
