// The console's shell: sign-in gate, header with sign-out, and the page the hash names.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Api, type ApiError } from "./lib/api.ts";
import { forgetKey, loadKey, loadSessionKeyId, saveKey } from "./lib/session.ts";
import { parseRoute, type Route } from "./route.ts";
import { SignIn } from "./pages/sign-in.tsx";
import { FunctionsList } from "./pages/functions-list.tsx";
import { FunctionPage } from "./pages/function-page.tsx";
import { ServerPage } from "./pages/server-page.tsx";
import { CreateFunctionPage } from "./pages/create-function.tsx";
import { CostPage } from "./pages/cost-page.tsx";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function App() {
  const [key, setKey] = useState(() => loadKey(sessionStorage));
  const [refusal, setRefusal] = useState<string | undefined>();
  const route = useRoute();

  const signOut = useCallback((reason?: string) => {
    forgetKey(sessionStorage);
    setKey(undefined);
    setRefusal(reason);
  }, []);

  /** The Sign out button: a key-pair session's key is deleted on the server first (best effort). */
  const signOutNow = (): void => {
    const id = loadSessionKeyId(sessionStorage);
    if (id === undefined || api === undefined) return signOut();
    api.revokeApiKey(id).then(
      () => signOut(),
      () => signOut(),
    );
  };

  const api = useMemo(
    () => (key === undefined ? undefined : new Api(key, (e: ApiError) => signOut(e.message))),
    [key, signOut],
  );

  if (api === undefined)
    return (
      <SignIn
        refusal={refusal}
        onSignedIn={(s) => {
          saveKey(sessionStorage, s.key, s.sessionKeyId);
          setRefusal(undefined);
          setKey(s.key);
        }}
      />
    );

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          Vajra
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={route.page === "list" || route.page === "create" ? "page" : undefined}>
            Functions
          </a>
          <a href="#/cost" aria-current={route.page === "cost" ? "page" : undefined}>
            Cost
          </a>
          <a href="#/server" aria-current={route.page === "server" ? "page" : undefined}>
            Server
          </a>
        </nav>
        <button type="button" className="secondary" onClick={signOutNow}>
          Sign out
        </button>
      </header>
      <main id="main">
        {route.page === "list" ? (
          <FunctionsList api={api} />
        ) : route.page === "server" ? (
          <ServerPage api={api} />
        ) : route.page === "cost" ? (
          <CostPage api={api} />
        ) : route.page === "create" ? (
          <CreateFunctionPage api={api} />
        ) : (
          <FunctionPage key={route.name} api={api} name={route.name} tab={route.tab} />
        )}
      </main>
    </>
  );
}
