import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isSignedIn, onSignedOut, signOut } from './api.js';
import type { User } from './types.js';
import { Alert, Heading } from './ui.js';
import { Audit } from './views/audit.js';
import { Clients, SigningKeys } from './views/issuer.js';
import { SignIn } from './views/sign-in.js';
import { UserView } from './views/user.js';
import { Users } from './views/users.js';

/** Screens and the permission each needs; the API enforces the same, the console only hides. */
const SCREENS = [
  { path: 'users', label: 'Users', permission: 'read:users' },
  { path: 'audit', label: 'Audit log', permission: 'read:audit' },
  { path: 'clients', label: 'OAuth clients', permission: 'manage:clients' },
  { path: 'keys', label: 'Signing keys', permission: 'manage:keys' },
] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function Screen({ hash, allowed }: { hash: string; allowed: string[] }) {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [screen, id] = path.split('/');
  const chosen = SCREENS.find((s) => s.path === screen && allowed.includes(s.path));
  const fallback = SCREENS.find((s) => allowed.includes(s.path))!;
  switch ((chosen ?? fallback).path) {
    case 'users':
      return id ? <UserView key={id} id={id} /> : <Users />;
    case 'audit':
      return <Audit key={search} initial={new URLSearchParams(search)} />;
    case 'clients':
      return <Clients />;
    case 'keys':
      return <SigningKeys />;
  }
}

function Refused({ me }: { me: User }) {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    // The API's own refusal is what the operator reads.
    api('GET', '/admin/users?limit=1').then(
      () => setError(new Error('This account has no console permission.')),
      setError,
    );
  }, []);
  return (
    <main class="narrow">
      <Heading>Access refused</Heading>
      <p>
        Signed in as {me.username}. The console is for operators holding <code>read:users</code> or{' '}
        <code>read:audit</code>.
      </p>
      <Alert error={error} />
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </main>
  );
}

function App() {
  const [me, setMe] = useState<User | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const hash = useHash();

  useEffect(() => {
    onSignedOut((reason) => {
      setMe(null);
      setMessage(reason);
    });
  }, []);

  const loadMe = async () => {
    try {
      setMe(await api<User>('GET', '/users/me'));
      setError(null);
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError && failure.status === 401) setMe(null);
    }
  };

  if (!me || !isSignedIn()) {
    return (
      <>
        <SignIn message={message} onSignedIn={() => void loadMe()} />
        <Alert error={error} />
      </>
    );
  }

  const allowed = SCREENS.filter((s) => me.permissions.includes(s.permission)).map((s) => s.path);
  if (!allowed.includes('users') && !allowed.includes('audit')) return <Refused me={me} />;
  const current = hash.replace(/^#\/?/, '').split(/[/?]/)[0] || allowed[0];

  return (
    <>
      <a
        class="skip"
        href="#main-content"
        onClick={(e) => (e.preventDefault(), document.querySelector('h1')?.focus())}
      >
        Skip to content
      </a>
      <header>
        <p class="brand">Gatehouse console</p>
        <nav aria-label="Console">
          <ul>
            {SCREENS.filter((s) => allowed.includes(s.path)).map((s) => (
              <li key={s.path}>
                <a href={`#/${s.path}`} aria-current={current === s.path ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who">
          {me.username}{' '}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      </header>
      <div id="main-content">
        <Screen key={hash.split('?')[0]} hash={hash} allowed={allowed} />
      </div>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading" line written in index.html for slow connections
render(<App />, root);
