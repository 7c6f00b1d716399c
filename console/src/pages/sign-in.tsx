// Sign-in with an API key: a password field, Enter submits; the key is checked against the API before
// it is kept (in sessionStorage, by the caller).
import { useState, type FormEvent } from "react";
import { Api, ApiError } from "../lib/api.ts";
import { checkKeyInput } from "../lib/session.ts";
import { ErrorBox } from "../components.tsx";

export function SignIn({
  refusal,
  onSignedIn,
}: {
  refusal: string | undefined;
  onSignedIn: (key: string) => void;
}) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<unknown>(
    refusal === undefined ? undefined : new ApiError(401, "Unauthorized", refusal),
  );
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const bad = checkKeyInput(key);
    if (bad !== undefined) {
      setProblem(new ApiError(0, "InvalidKey", bad));
      return;
    }
    setBusy(true);
    // A trial call; its 401 is this form's error, not a sign-out.
    new Api(key.trim()).listFunctions().then(
      () => onSignedIn(key.trim()),
      (err: unknown) => {
        setBusy(false);
        setProblem(
          err instanceof ApiError && err.status === 401
            ? new ApiError(
                401,
                err.code,
                "the server refused this API key: it was revoked, has expired or is wrong.",
              )
            : err,
        );
      },
    );
  };

  return (
    <main id="main" className="signin">
      <h1>Vajra console</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={problem !== undefined}
        />
        <p id="signin-help" className="muted">
          The admin key is in the server&apos;s data directory (<code>~/.vajra/admin-key</code> by default).
          It is kept in this tab only and forgotten when you sign out or close the tab.
        </p>
        {problem !== undefined && <ErrorBox error={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
