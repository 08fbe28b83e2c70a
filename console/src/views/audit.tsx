import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { type ChainReport, EVENT_TYPES, type Page, type SecurityEvent } from '../types.js';
import { Alert, Heading, Pager, when } from '../ui.js';
import { useResource } from '../use-resource.js';

const LIMIT = 25;

export function EventsTable({ events }: { events: SecurityEvent[] }) {
  if (events.length === 0) return <p>No events.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">User</th>
            <th scope="col">Actor</th>
            <th scope="col">IP</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td>{when(event.created_at)}</td>
              <td>{event.type}</td>
              <td>
                {event.user_id ? (
                  <a href={`#/users/${event.user_id}`}>{event.user_id.slice(0, 8)}</a>
                ) : (
                  '—'
                )}
              </td>
              <td>{event.actor_id ? event.actor_id.slice(0, 8) : '—'}</td>
              <td>{event.ip ?? '—'}</td>
              <td>
                <code>
                  {Object.keys(event.details ?? {}).length ? JSON.stringify(event.details) : ''}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** datetime-local has no zone: the operator means their own clock, the API wants RFC 3339. */
function toIso(local: string): string {
  return local ? new Date(local).toISOString() : '';
}

export function Audit({ initial }: { initial: URLSearchParams }) {
  const [filters, setFilters] = useState({
    user_id: initial.get('user_id') ?? '',
    actor_id: initial.get('actor_id') ?? '',
    type: initial.get('type') ?? '',
    from: '',
    to: '',
  });
  const [page, setPage] = useState(1);
  const { data: result, error } = useResource(
    () =>
      api<Page<SecurityEvent>>('GET', `/admin/audit${query({ ...filters, page, limit: LIMIT })}`),
    [filters, page],
  );
  const [chain, setChain] = useState<ChainReport | null>(null);
  const [chainError, setChainError] = useState<unknown>(null);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setPage(1);
    setFilters({
      user_id: text('user_id'),
      actor_id: text('actor_id'),
      type: text('type'),
      from: toIso(text('from')),
      to: toIso(text('to')),
    });
  };

  const verify = async () => {
    setChain(null);
    setChainError(null);
    try {
      setChain(await api<ChainReport>('GET', '/admin/audit/verify'));
    } catch (failure) {
      setChainError(failure);
    }
  };

  return (
    <main>
      <Heading>Audit log</Heading>
      <form class="filters" onSubmit={apply}>
        <div>
          <label for="audit-user">User id</label>
          <input id="audit-user" name="user_id" defaultValue={filters.user_id} />
        </div>
        <div>
          <label for="audit-actor">Actor id</label>
          <input id="audit-actor" name="actor_id" defaultValue={filters.actor_id} />
        </div>
        <div>
          <label for="audit-type">Event type</label>
          <input id="audit-type" name="type" list="event-types" defaultValue={filters.type} />
          <datalist id="event-types">
            {EVENT_TYPES.map((type) => (
              <option value={type} />
            ))}
          </datalist>
        </div>
        <div>
          <label for="audit-from">From</label>
          <input id="audit-from" name="from" type="datetime-local" />
        </div>
        <div>
          <label for="audit-to">Until</label>
          <input id="audit-to" name="to" type="datetime-local" />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      <Alert error={error} />
      {result ? (
        <>
          <EventsTable events={result.items} />
          <Pager page={page} limit={LIMIT} total={result.total} onPage={setPage} />
        </>
      ) : null}
      <section aria-labelledby="chain-heading">
        <h2 id="chain-heading">Hash chain</h2>
        <button type="button" onClick={verify}>
          Verify chain
        </button>
        <Alert error={chainError} />
        {chain ? (
          <div role="status" class={chain.valid ? 'notice' : 'alert'}>
            {chain.valid
              ? `The chain is intact: ${chain.checked} events checked.`
              : `The chain is broken: ${chain.problems.map((p) => `${p.seq ?? '?'}: ${p.problem}`).join('; ')}`}
          </div>
        ) : null}
      </section>
    </main>
  );
}
