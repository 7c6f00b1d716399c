// A function's page: its header and the tabs (a WAI-ARIA tablist: arrow keys move between tabs).
import { useRef, type KeyboardEvent } from "react";
import type { Api } from "../lib/api.ts";
import { hrefOf, TABS, type Tab } from "../route.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { ConfigTab } from "../tabs/config-tab.tsx";
import { TestTab } from "../tabs/test-tab.tsx";
import { LogsTab } from "../tabs/logs-tab.tsx";
import { MonitorTab } from "../tabs/monitor-tab.tsx";
import { VersionsTab } from "../tabs/versions-tab.tsx";
import { TriggersTab } from "../tabs/triggers-tab.tsx";

const LABELS: Record<Tab, string> = {
  config: "Code & configuration",
  test: "Test",
  logs: "Logs",
  monitor: "Monitor",
  versions: "Versions & aliases",
  triggers: "Triggers",
};

export function FunctionPage({ api, name, tab }: { api: Api; name: string; tab: Tab }) {
  const fn = useLoad(() => api.getFunction(name), [api, name]);
  const tabRefs = useRef<(HTMLAnchorElement | null)[]>([]);

  const onKey = (e: KeyboardEvent, i: number): void => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const j = (i + step + TABS.length) % TABS.length;
    const next = TABS[j] as Tab;
    window.location.hash = hrefOf({ page: "function", name, tab: next });
    tabRefs.current[j]?.focus();
  };

  return (
    <section aria-labelledby="fn-name">
      <p className="crumbs">
        <a href="#/">Functions</a> /
      </p>
      <h1 id="fn-name">{name}</h1>
      {fn.error !== undefined && <ErrorBox error={fn.error} onRetry={fn.reload} />}
      {fn.data === undefined && fn.loading && <Loading what="the function" />}
      {fn.data !== undefined && (
        <>
          <p className="muted facts">
            {fn.data.runtime} · {fn.data.memorySize} MB · {fn.data.timeout} s · state {fn.data.state}
            {fn.data.instances !== undefined &&
              ` · warm instances ${fn.data.instances.idle + fn.data.instances.busy} (${fn.data.instances.busy} busy)`}
          </p>
          <div role="tablist" aria-label="Function tabs" className="tabs">
            {TABS.map((t, i) => (
              <a
                key={t}
                ref={(el) => {
                  tabRefs.current[i] = el;
                }}
                role="tab"
                id={`tab-${t}`}
                aria-selected={t === tab}
                aria-controls="tabpanel"
                tabIndex={t === tab ? 0 : -1}
                href={hrefOf({ page: "function", name, tab: t })}
                onKeyDown={(e) => onKey(e, i)}
              >
                {LABELS[t]}
              </a>
            ))}
          </div>
          <div role="tabpanel" id="tabpanel" aria-labelledby={`tab-${tab}`} className="panel">
            {tab === "config" && <ConfigTab api={api} fn={fn.data} onSaved={fn.reload} />}
            {tab === "test" && <TestTab api={api} name={name} />}
            {tab === "logs" && <LogsTab api={api} name={name} />}
            {tab === "monitor" && <MonitorTab api={api} name={name} />}
            {tab === "versions" && <VersionsTab api={api} name={name} />}
            {tab === "triggers" && <TriggersTab api={api} name={name} />}
          </div>
        </>
      )}
    </section>
  );
}
