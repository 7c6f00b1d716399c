// The Monitor tab's cost recommendations for one function (GET /recommendations?function=NAME): each
// finding with its evidence and the estimated monthly saving or its risk, or why there is none yet.
import type { Api, Recommendation } from "../lib/api.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";

function saving(r: Recommendation): string {
  return r.estimatedMonthlySaving === undefined
    ? ""
    : ` — saves about ${r.estimatedMonthlySaving.toFixed(2)} ${r.currency} a month`;
}

export function Recommendations({ api, name }: { api: Api; name: string }) {
  const report = useLoad(() => api.recommendations(name), [api, name]);
  return (
    <section aria-labelledby="recommendations-title" data-testid="recommendations">
      <h3 id="recommendations-title">Recommendations</h3>
      {report.error !== undefined && <ErrorBox error={report.error} onRetry={report.reload} />}
      {report.data === undefined && report.loading && <Loading what="recommendations" />}
      {report.data !== undefined && report.data.recommendations.length === 0 && (
        <p>
          None for now, from the invocations since {new Date(report.data.from).toLocaleDateString()}.
          {report.data.notes.length > 0 && ` ${report.data.notes.join(" ")}`}
        </p>
      )}
      {report.data !== undefined && report.data.recommendations.length > 0 && (
        <ul className="recommendations">
          {report.data.recommendations.map((r) => (
            <li key={`${r.kind}-${r.title}`} className={`severity-${r.severity}`}>
              <strong>{r.title}</strong>
              {saving(r)}
              <p>{r.detail}</p>
              {r.risk !== undefined && <p>Risk: {r.risk}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
