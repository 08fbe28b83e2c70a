import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** Moves focus to the page's heading after navigation, so keyboard and screen-reader users land there. */
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** Every refusal from the API is shown with its `detail`, never swallowed. */
export function Alert({ error, hint }: { error: unknown; hint?: string }) {
  if (!error) return null;
  const detail =
    error instanceof ApiError
      ? error.detail
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div role="alert" class="alert">
      <p>{detail}</p>
      {hint && error instanceof ApiError && error.status === 403 ? <p>{hint}</p> : null}
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  return text ? (
    <p role="status" class="notice">
      {text}
    </p>
  ) : null;
}

export function Badge({ tone, children }: { tone: 'warn' | 'bad' | 'ok'; children: string }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** A destructive action: the button opens a modal dialog that names the consequence and asks again. */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel?: string;
  onConfirm: () => Promise<void> | void;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    dialog.current?.close();
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="danger"
        disabled={props.disabled || busy}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.label}>
        <p>{props.question}</p>
        <div class="actions">
          <button type="button" class="danger" onClick={confirm}>
            {props.confirmLabel ?? props.label}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

export function Pager(props: {
  page: number;
  limit: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.limit));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        Previous page
      </button>
      <span>
        Page {props.page} of {pages} ({props.total} in all)
      </span>
      <button
        type="button"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function isLocked(lockedUntil: string | null | undefined): boolean {
  return !!lockedUntil && new Date(lockedUntil).getTime() > Date.now();
}
