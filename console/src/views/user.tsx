import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { type ApiKey, type Page, ROLES, type SecurityEvent, type User } from '../types.js';
import { useResource } from '../use-resource.js';
import { Alert, ConfirmButton, Heading, isLocked, Notice, when } from '../ui.js';
import { EventsTable } from './audit.js';
import { UserBadges } from './users.js';

const RANK_RULE =
  'Rank rule: nobody grants a role above their own or acts on a user who ranks above them; ' +
  'the last active admin cannot be demoted, disabled or deleted.';

/** One user: what they are, what an operator can do to them, their keys and their recent events. */
export function UserView({ id }: { id: string }) {
  const {
    data: user,
    error,
    reload,
  } = useResource(() => api<User>('GET', `/admin/users/${id}`), [id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Bumped after every action, so the keys and events below show its effect.
  const [revision, setRevision] = useState(0);

  const act = (done: string, call: () => Promise<unknown>) => async () => {
    setNotice(null);
    setActionError(null);
    try {
      await call();
      setNotice(done);
      setRevision((r) => r + 1);
      reload();
    } catch (failure) {
      setActionError(failure);
    }
  };

  if (!user) {
    return (
      <main>
        <Heading>User</Heading>
        <Alert error={error} />
      </main>
    );
  }

  const saveRoles = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const roles = form.getAll('roles').map(String);
    void act('Roles saved.', () => api('PATCH', `/admin/users/${id}`, { roles }))();
  };

  return (
    <main>
      <Heading>
        {user.username} <UserBadges user={user} />
      </Heading>
      <p>
        <a href="#/users">Back to users</a>
      </p>
      <dl class="facts">
        <dt>E-mail</dt>
        <dd>
          {user.email}
          {user.email_verified === false ? ' (not verified)' : ''}
        </dd>
        <dt>Full name</dt>
        <dd>{user.full_name ?? '—'}</dd>
        <dt>Status</dt>
        <dd>{user.is_active ? 'Active' : 'Disabled'}</dd>
        <dt>Two-factor</dt>
        <dd>{user.two_factor_enabled ? 'On' : 'Off'}</dd>
        <dt>Locked until</dt>
        <dd>{isLocked(user.locked_until) ? when(user.locked_until) : 'Not locked'}</dd>
        {user.failed_login_count !== undefined ? (
          <>
            <dt>Failed logins</dt>
            <dd>{user.failed_login_count}</dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{when(user.created_at)}</dd>
        <dt>Permissions</dt>
        <dd>{user.permissions.join(', ')}</dd>
      </dl>

      <Notice text={notice} />
      <Alert error={actionError} hint={RANK_RULE} />

      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <form onSubmit={saveRoles}>
          <fieldset>
            <legend>Roles of {user.username}</legend>
            {ROLES.map((role) => (
              <label class="check" key={role}>
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  checked={user.roles.includes(role)}
                />{' '}
                {role}
              </label>
            ))}
          </fieldset>
          <button type="submit">Save roles</button>
        </form>
        <p class="hint">{RANK_RULE}</p>
      </section>

      <section aria-labelledby="actions-heading">
        <h2 id="actions-heading">Account actions</h2>
        <div class="actions">
          {user.is_active ? (
            <ConfirmButton
              label="Disable account"
              question={`Disable ${user.username}? Their sessions end and their tokens and keys stop working at once.`}
              confirmLabel="Disable"
              onConfirm={act('Account disabled.', () =>
                api('PATCH', `/admin/users/${id}`, { is_active: false }),
              )}
            />
          ) : (
            <button
              type="button"
              onClick={act('Account enabled.', () =>
                api('PATCH', `/admin/users/${id}`, { is_active: true }),
              )}
            >
              Enable account
            </button>
          )}
          <button
            type="button"
            onClick={act('Lockout lifted.', () => api('POST', `/admin/users/${id}/unlock`))}
          >
            Unlock
          </button>
          <ConfirmButton
            label="End all sessions"
            question={`End every session of ${user.username}? They must sign in again everywhere.`}
            confirmLabel="End sessions"
            onConfirm={act('All sessions ended.', () =>
              api('DELETE', `/admin/users/${id}/sessions`),
            )}
          />
          <ConfirmButton
            label="Reset two-factor"
            question={`Turn two-factor off for ${user.username} (lost device)? They sign in with the password alone until they enrol again.`}
            confirmLabel="Reset two-factor"
            disabled={!user.two_factor_enabled}
            onConfirm={act('Two-factor reset.', () => api('DELETE', `/admin/users/${id}/2fa`))}
          />
          <ConfirmButton
            label="Send password reset"
            question={`Send ${user.username} an e-mail with a password reset link?`}
            confirmLabel="Send"
            onConfirm={act('Password reset e-mail sent.', () =>
              api('POST', `/admin/users/${id}/password-reset`),
            )}
          />
          <ConfirmButton
            label="Delete user"
            question={`Delete ${user.username} for good? Their sessions, keys and items go with them.`}
            confirmLabel="Delete"
            onConfirm={async () => {
              setActionError(null);
              try {
                await api('DELETE', `/admin/users/${id}`);
                location.hash = '#/users';
              } catch (failure) {
                setActionError(failure);
              }
            }}
          />
        </div>
      </section>

      <UserKeys userId={id} revision={revision} />
      <UserEvents userId={id} revision={revision} />
    </main>
  );
}

function UserKeys({ userId, revision }: { userId: string; revision: number }) {
  const { data, error, setError, reload } = useResource(
    () => api<Page<ApiKey>>('GET', `/admin/api-keys${query({ user_id: userId, limit: 100 })}`),
    [userId, revision],
  );
  const keys = data?.items;
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <Alert error={error} />
      {keys && keys.length === 0 ? <p>No API keys.</p> : null}
      {keys && keys.length > 0 ? (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}</code>
                  </td>
                  <td>{key.scopes.join(', ') || '—'}</td>
                  <td>{when(key.expires_at)}</td>
                  <td>{key.revoked_at ? `Revoked ${when(key.revoked_at)}` : 'Active'}</td>
                  <td>
                    {key.revoked_at ? null : (
                      <ConfirmButton
                        label={`Revoke ${key.name}`}
                        question={`Revoke the key ${key.name} (${key.prefix})? It stops working at once.`}
                        confirmLabel="Revoke"
                        onConfirm={async () => {
                          try {
                            await api('DELETE', `/api-keys/${key.id}`);
                            reload();
                          } catch (failure) {
                            setError(failure);
                          }
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function UserEvents({ userId, revision }: { userId: string; revision: number }) {
  const { data, error } = useResource(
    () => api<Page<SecurityEvent>>('GET', `/admin/audit${query({ user_id: userId, limit: 10 })}`),
    [userId, revision],
  );
  const events = data?.items;
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Recent security events</h2>
      <Alert error={error} />
      {events ? <EventsTable events={events} /> : null}
      <p>
        <a href={`#/audit?user_id=${userId}`}>All events about this user</a>
      </p>
    </section>
  );
}
