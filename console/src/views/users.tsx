import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ROLES, type Page, type User } from '../types.js';
import { useResource } from '../use-resource.js';
import { Alert, Badge, Heading, isLocked, Pager } from '../ui.js';

const LIMIT = 20;

export function UserBadges({ user }: { user: User }) {
  return (
    <span class="badges">
      {user.is_active ? null : <Badge tone="bad">Disabled</Badge>}
      {isLocked(user.locked_until) ? <Badge tone="warn">Locked</Badge> : null}
      {user.two_factor_enabled ? <Badge tone="ok">2FA</Badge> : null}
    </span>
  );
}

export function Users() {
  const [filters, setFilters] = useState({ search: '', role: '', is_active: '' });
  const [page, setPage] = useState(1);
  const { data: result, error } = useResource(
    () => api<Page<User>>('GET', `/admin/users${query({ ...filters, page, limit: LIMIT })}`),
    [filters, page],
  );

  const search = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setPage(1);
    setFilters({
      search: String(form.get('search') ?? '').trim(),
      role: String(form.get('role') ?? ''),
      is_active: String(form.get('is_active') ?? ''),
    });
  };

  return (
    <main>
      <Heading>Users</Heading>
      <form role="search" class="filters" onSubmit={search}>
        <div>
          <label for="user-search">Search by name, username or e-mail</label>
          <input id="user-search" name="search" type="search" />
        </div>
        <div>
          <label for="user-role">Role</label>
          <select id="user-role" name="role">
            <option value="">Any role</option>
            {ROLES.map((role) => (
              <option value={role}>{role}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="user-status">Status</label>
          <select id="user-status" name="is_active">
            <option value="">Any status</option>
            <option value="true">Active</option>
            <option value="false">Disabled</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <Alert error={error} />
      {result ? (
        <>
          <div class="scroll">
            <table>
              <caption>{result.total === 1 ? '1 user' : `${result.total} users`}</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <a href={`#/users/${user.id}`}>{user.username}</a>
                    </td>
                    <td>{user.email}</td>
                    <td>{user.roles.join(', ')}</td>
                    <td>
                      <UserBadges user={user} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} limit={LIMIT} total={result.total} onPage={setPage} />
        </>
      ) : null}
    </main>
  );
}
