import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { OAuthClient, SigningKey } from '../types.js';
import { Alert, ConfirmButton, Heading, Notice, when } from '../ui.js';
import { useResource } from '../use-resource.js';

/** Lists come as a bare array or as `{ items }` / `{ keys }`; the console takes either. */
function listOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const record = (body ?? {}) as Record<string, unknown>;
  const list = record.items ?? record.keys ?? record.clients;
  return Array.isArray(list) ? (list as T[]) : [];
}

export function Clients() {
  const { data, error, setError, reload } = useResource(
    async () => listOf<OAuthClient>(await api('GET', '/admin/oauth-clients')),
    [],
  );
  const clients = data;
  const [created, setCreated] = useState<{ client_id: string; client_secret: string } | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const scopes = String(form.get('scopes') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    try {
      setCreated(
        await api('POST', '/admin/oauth-clients', {
          name: String(form.get('name') ?? '').trim(),
          scopes,
        }),
      );
      formElement.reset();
      setError(null);
      reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <main>
      <Heading>OAuth clients</Heading>
      <form class="filters" onSubmit={create}>
        <div>
          <label for="client-name">Name</label>
          <input id="client-name" name="name" required />
        </div>
        <div>
          <label for="client-scopes">Scopes (space separated)</label>
          <input id="client-scopes" name="scopes" />
        </div>
        <button type="submit">Create client</button>
      </form>
      {created ? (
        <div role="status" class="notice">
          <p>
            Client <code>{created.client_id}</code> created. Its secret is shown this once:
          </p>
          <p>
            <code class="secret">{created.client_secret}</code>
          </p>
        </div>
      ) : null}
      <Alert error={error} />
      {clients && clients.length === 0 ? <p>No OAuth clients.</p> : null}
      {clients && clients.length > 0 ? (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr key={client.client_id}>
                  <td>{client.name}</td>
                  <td>
                    <code>{client.client_id}</code>
                  </td>
                  <td>{client.scopes.join(', ') || '—'}</td>
                  <td>{when(client.created_at)}</td>
                  <td>
                    <ConfirmButton
                      label={`Delete ${client.name}`}
                      question={`Delete the client ${client.name}? Its tokens stop working at once.`}
                      confirmLabel="Delete"
                      onConfirm={async () => {
                        try {
                          await api('DELETE', `/admin/oauth-clients/${client.client_id}`);
                          reload();
                        } catch (failure) {
                          setError(failure);
                        }
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </main>
  );
}

export function SigningKeys() {
  const {
    data: keys,
    error,
    setError,
    reload,
  } = useResource(async () => listOf<SigningKey>(await api('GET', '/admin/signing-keys')), []);
  const [notice, setNotice] = useState<string | null>(null);

  const dateFields = (key: SigningKey) =>
    Object.entries(key).filter(
      ([name, value]) => typeof value === 'string' && /_at$/.test(name) && value,
    ) as [string, string][];

  return (
    <main>
      <Heading>Signing keys</Heading>
      <Notice text={notice} />
      <ConfirmButton
        label="Rotate signing key"
        question="Create a new signing key? It is published now and signs after the publication delay; old keys stay published until their tokens expire."
        confirmLabel="Rotate"
        onConfirm={async () => {
          try {
            await api('POST', '/admin/signing-keys/rotate');
            setNotice('A new key was published; it signs after the publication delay.');
            reload();
          } catch (failure) {
            setError(failure);
          }
        }}
      />
      <Alert error={error} />
      {keys && keys.length === 0 ? (
        <p>No key pairs: tokens are signed with a shared secret.</p>
      ) : null}
      {keys && keys.length > 0 ? (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Algorithm</th>
                <th scope="col">State</th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.kid}>
                  <td>
                    <code>{key.kid}</code>
                  </td>
                  <td>{key.alg}</td>
                  <td>{String(key.state ?? key.status ?? '—')}</td>
                  <td>
                    {dateFields(key)
                      .map(
                        ([name, value]) =>
                          `${name.replace(/_at$/, '').replace(/_/g, ' ')}: ${when(value)}`,
                      )
                      .join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </main>
  );
}
