// Sign-in, two ways (a tablist): an API key in a password field, checked against the API before it is
// kept; or an access key pair (id and secret), whose signature buys a 12-hour API key from
// POST /sessions. Enter submits either form; a refusal is shown in place and the input is kept. Only
// the resulting API key is kept (in sessionStorage, by the caller), never the secret access key.
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Api, ApiError } from "../lib/api.ts";
import { checkKeyPairInput, signInWithKeyPair, type KeyPairProblem } from "../lib/key-pair.ts";
import { checkKeyInput } from "../lib/session.ts";
import { ErrorBox } from "../components.tsx";

type Method = "api-key" | "key-pair";
const METHODS: Array<{ id: Method; label: string }> = [
  { id: "api-key", label: "API key" },
  { id: "key-pair", label: "Access key pair" },
];

/** What the caller keeps: the API key, and for a key-pair session the id of that key (deleted at sign-out). */
export interface SignedIn {
  key: string;
  sessionKeyId?: string;
}

function ApiKeyForm({ initial, onSignedIn }: { initial: unknown; onSignedIn: (s: SignedIn) => void }) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<unknown>(initial);
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
      () => onSignedIn({ key: key.trim() }),
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
        The admin key is in the server&apos;s data directory (<code>~/.vajra/admin-key</code> by default). It
        is kept in this tab only and forgotten when you sign out or close the tab.
      </p>
      {problem !== undefined && <ErrorBox error={problem} />}
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

function KeyPairForm({ onSignedIn }: { onSignedIn: (s: SignedIn) => void }) {
  const [id, setId] = useState("");
  const [secret, setSecret] = useState("");
  const [field, setField] = useState<KeyPairProblem | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setProblem(undefined);
    const bad = checkKeyPairInput(id, secret);
    setField(bad);
    if (bad !== undefined) return;
    setBusy(true);
    signInWithKeyPair(window.location.origin, id, secret).then(
      (s) => onSignedIn({ key: s.secret, sessionKeyId: s.id }),
      (err: unknown) => {
        setBusy(false);
        setProblem(err);
      },
    );
  };

  const err = (f: KeyPairProblem["field"]) =>
    field?.field === f ? (
      <p id={`${f}-err`} className="field-error" role="alert">
        {field.message}
      </p>
    ) : null;

  return (
    <form onSubmit={submit} aria-describedby="pair-help" aria-label="Sign in with an access key pair">
      <label htmlFor="access-key-id">Access key id</label>
      <input
        id="access-key-id"
        autoComplete="username"
        spellCheck={false}
        autoCapitalize="characters"
        autoFocus
        value={id}
        onChange={(e) => setId(e.target.value)}
        aria-invalid={field?.field === "accessKeyId"}
        aria-describedby={field?.field === "accessKeyId" ? "accessKeyId-err" : undefined}
      />
      {err("accessKeyId")}
      <label htmlFor="secret-access-key">Secret access key</label>
      <input
        id="secret-access-key"
        type="password"
        autoComplete="current-password"
        value={secret}
        onChange={(e) => setSecret(e.target.value)}
        aria-invalid={field?.field === "secretAccessKey"}
        aria-describedby={field?.field === "secretAccessKey" ? "secretAccessKey-err" : undefined}
      />
      {err("secretAccessKey")}
      <p id="pair-help" className="muted">
        An account access key (AKIA…), as in the server&apos;s <code>~/.vajra/credentials</code> (profile{" "}
        <code>vajra</code>) or from <code>vajra keys create</code>. The secret only signs one request in this
        browser: the server answers a 12-hour API key, kept in this tab only and deleted when you sign out.
      </p>
      {problem !== undefined && <ErrorBox error={problem} />}
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

export function SignIn({
  refusal,
  onSignedIn,
}: {
  refusal: string | undefined;
  onSignedIn: (s: SignedIn) => void;
}) {
  const [method, setMethod] = useState<Method>("api-key");
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const initial = refusal === undefined ? undefined : new ApiError(401, "Unauthorized", refusal);

  // WAI-ARIA tabs: arrow keys move between them.
  const onKey = (e: KeyboardEvent, i: number): void => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    const next = (i + (e.key === "ArrowRight" ? 1 : METHODS.length - 1)) % METHODS.length;
    const m = METHODS[next];
    if (m === undefined) return;
    setMethod(m.id);
    tabs.current[next]?.focus();
  };

  return (
    <main id="main" className="signin">
      <h1>Vajra console</h1>
      <div role="tablist" aria-label="Sign in with" className="tabs">
        {METHODS.map((m, i) => (
          <button
            key={m.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`signin-tab-${m.id}`}
            aria-selected={m.id === method}
            aria-controls="signin-panel"
            tabIndex={m.id === method ? 0 : -1}
            onClick={() => setMethod(m.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {m.label}
          </button>
        ))}
      </div>
      {/* Named by aria-label, not by its tab: "API key" must stay the key field's label alone. */}
      <div role="tabpanel" id="signin-panel" aria-label="Sign-in form" className="panel">
        {method === "api-key" ? (
          <ApiKeyForm initial={initial} onSignedIn={onSignedIn} />
        ) : (
          <KeyPairForm onSignedIn={onSignedIn} />
        )}
      </div>
    </main>
  );
}
