// One part of a settings form being saved: busy while it runs, then its success line or the API's error,
// shown in the panel that sent it.
import { useState } from "react";
import { ErrorBox } from "../components.tsx";

/** Saves one part of the configuration, reporting success or the API's error in place. */
export function useSaver(): {
  busy: boolean;
  problem: unknown;
  done: string | undefined;
  run: (work: () => Promise<string>, after?: () => void) => void;
  fail: (why: unknown) => void;
} {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const run = (work: () => Promise<string>, after?: () => void): void => {
    setProblem(undefined);
    setDone(undefined);
    setBusy(true);
    work().then(
      (msg) => {
        setBusy(false);
        setDone(msg);
        after?.();
      },
      (err: unknown) => {
        setBusy(false);
        setProblem(err);
      },
    );
  };
  const fail = (why: unknown): void => {
    setDone(undefined);
    setProblem(why);
  };
  return { busy, problem, done, run, fail };
}

export function Outcome({ problem, done }: { problem: unknown; done: string | undefined }) {
  return (
    <>
      {problem !== undefined && <ErrorBox error={problem} />}
      {done !== undefined && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
    </>
  );
}
