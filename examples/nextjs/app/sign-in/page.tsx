import { SignInForm } from './sign-in-form';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  return (
    <main>
      <h1>Sign in</h1>
      {reason ? <p id="reason">Your session has ended ({reason}). Sign in again.</p> : null}
      <SignInForm />
    </main>
  );
}
