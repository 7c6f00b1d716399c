// Small shared pieces: the API error box, a loading line and a hook that loads data with errors kept.
import { useCallback, useEffect, useState } from "react";
import { ApiError } from "./lib/api.ts";

export function errorText(err: unknown): { code: string; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return { code: "ConsoleError", message: err instanceof Error ? err.message : String(err) };
}

/** An API error with its code and message; never a blank page. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { code, message } = errorText(error);
  return (
    <div className="error" role="alert">
      <span>
        <strong>{code}</strong>: {message}
      </span>
      {onRetry !== undefined && (
        <button type="button" className="secondary small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and on reload(); a failure keeps the last data and reports the error. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // The caller lists what `load` depends on, as with useEffect.
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setLoading(true);
    run().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [run, tick]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}
