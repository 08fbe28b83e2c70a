import { useState } from 'preact/hooks';
import { signIn, type SignInResult, verifySecondFactor } from '../api.js';
import { Heading } from '../ui.js';

/** Password first; when the account has two-factor on, the code (or a recovery code) next. */
export function SignIn({
  message,
  onSignedIn,
}: {
  message: string | null;
  onSignedIn: () => void;
}) {
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const handle = (result: SignInResult) => {
    if (result.kind === 'signed_in') onSignedIn();
    else if (result.kind === 'mfa_required') {
      setRefusal(null);
      setMfaToken(result.mfaToken);
    } else setRefusal(result.message);
  };

  const submitPassword = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      handle(await signIn(String(form.get('username')), String(form.get('password'))));
    } catch {
      setRefusal('The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const recovery = String(form.get('recovery_code') ?? '').trim();
    const code = String(form.get('code') ?? '').trim();
    setBusy(true);
    try {
      handle(
        await verifySecondFactor(mfaToken!, recovery || code, recovery ? 'recovery_code' : 'code'),
      );
    } catch {
      setRefusal('The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="narrow">
      <Heading>Sign in to the Gatehouse console</Heading>
      {message ? (
        <p role="status" class="notice">
          {message}
        </p>
      ) : null}
      {refusal ? (
        <div role="alert" class="alert">
          <p>{refusal}</p>
        </div>
      ) : null}
      {mfaToken === null ? (
        <form key="password" onSubmit={submitPassword}>
          <label for="username">Username or e-mail</label>
          <input id="username" name="username" autocomplete="username" required />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      ) : (
        // A distinct key: the code form gets new inputs, never the password field's element and value.
        <form key="second-factor" onSubmit={submitCode}>
          <p>This account uses two-factor authentication.</p>
          <label for="code">Code from your authenticator app</label>
          <input
            id="code"
            name="code"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
          />
          <label for="recovery_code">Or a recovery code</label>
          <input id="recovery_code" name="recovery_code" autocomplete="off" />
          <button type="submit" disabled={busy}>
            Verify
          </button>
          <button type="button" onClick={() => setMfaToken(null)}>
            Start again
          </button>
        </form>
      )}
    </main>
  );
}
