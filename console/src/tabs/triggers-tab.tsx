// Triggers: what invokes this function (schedules, event source mappings, storage triggers, HTTP
// routes), with state and last error. Read-only here; the CLI and API create them. Each list is loaded
// on its own, so one failing (or absent on this server) leaves the others.
import type { Api } from "../lib/api.ts";
import { mappingRows, routeRows, scheduleRows, storageRows, type TriggerRow } from "../lib/triggers.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";

type Obj = Record<string, unknown>;

async function gather(api: Api, name: string): Promise<{ rows: TriggerRow[]; errors: unknown[] }> {
  const lists: [string, string, (fn: string, items: Obj[]) => TriggerRow[]][] = [
    ["/schedules", "schedules", scheduleRows],
    [`/triggers?function=${encodeURIComponent(name)}`, "triggers", mappingRows],
    ["/storage-triggers", "triggers", storageRows],
    ["/routes", "routes", routeRows],
  ];
  const rows: TriggerRow[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    lists.map(async ([path, field, toRows]) => {
      try {
        const body = await api.json<Record<string, Obj[] | undefined>>("GET", path);
        rows.push(...toRows(name, body[field] ?? []));
      } catch (err) {
        errors.push(err);
      }
    }),
  );
  rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return { rows, errors };
}

export function TriggersTab({ api, name }: { api: Api; name: string }) {
  const data = useLoad(() => gather(api, name), [api, name]);
  if (data.data === undefined)
    return data.error !== undefined ? (
      <ErrorBox error={data.error} onRetry={data.reload} />
    ) : (
      <Loading what="triggers" />
    );
  return (
    <div>
      {data.data.errors.map((e, i) => (
        <ErrorBox key={i} error={e} />
      ))}
      {data.data.rows.length === 0 ? (
        <p className="muted">
          Nothing invokes this function yet. Add a schedule (<code>vajra schedule</code>), an event source
          mapping (<code>vajra trigger</code>), a storage trigger (<code>vajra storage-trigger</code>) or an
          HTTP route (<code>vajra route add</code>).
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Name</th>
                <th scope="col">What</th>
                <th scope="col">State</th>
                <th scope="col">Last problem</th>
              </tr>
            </thead>
            <tbody>
              {data.data.rows.map((r) => (
                <tr key={`${r.kind}-${r.name}`}>
                  <td>{r.kind}</td>
                  <th scope="row">{r.name}</th>
                  <td>{r.detail}</td>
                  <td>{r.state}</td>
                  <td className={r.problem === undefined ? "muted" : "bad"}>{r.problem ?? "none"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button type="button" className="secondary" onClick={data.reload}>
        Refresh
      </button>
    </div>
  );
}
