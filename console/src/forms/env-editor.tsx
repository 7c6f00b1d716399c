// The environment variables editor, shared by the configuration tab and the create-function page:
// rows of name and value, values masked until Show, and the form's error for them.
import { useState } from "react";
import type { EnvRow } from "../lib/validate.ts";

export function EnvEditor({
  rows,
  onChange,
  error,
}: {
  rows: EnvRow[];
  onChange: (rows: EnvRow[]) => void;
  error?: string | undefined;
}) {
  const [revealed, setRevealed] = useState<Set<number>>(new Set());
  const setRow = (i: number, part: "key" | "value", v: string): void =>
    onChange(rows.map((r, j) => (j === i ? { ...r, [part]: v } : r)));

  return (
    <fieldset>
      <legend>Environment variables</legend>
      {rows.length === 0 && <p className="muted">None.</p>}
      {rows.map((row, i) => (
        <div className="env-row" key={i}>
          <label>
            <span className="sr-only">Name of variable {i + 1}</span>
            <input value={row.key} placeholder="NAME" onChange={(e) => setRow(i, "key", e.target.value)} />
          </label>
          <label>
            <span className="sr-only">Value of variable {i + 1}</span>
            <input
              type={revealed.has(i) ? "text" : "password"}
              autoComplete="off"
              value={row.value}
              placeholder="value"
              onChange={(e) => setRow(i, "value", e.target.value)}
            />
          </label>
          <button
            type="button"
            className="secondary small"
            aria-pressed={revealed.has(i)}
            onClick={() =>
              setRevealed((s) => {
                const n = new Set(s);
                if (n.has(i)) n.delete(i);
                else n.add(i);
                return n;
              })
            }
          >
            {revealed.has(i) ? "Hide" : "Show"}
          </button>
          <button
            type="button"
            className="secondary small"
            aria-label={`Remove variable ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="secondary small"
        onClick={() => onChange([...rows, { key: "", value: "" }])}
      >
        Add variable
      </button>
      {error !== undefined && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A labelled text input with its error beside it (aria-described), as every form here shows them. */
export function Field({
  id,
  label,
  value,
  onChange,
  error,
  numeric,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  numeric?: boolean;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...(numeric === true ? { inputMode: "numeric" as const } : {})}
        {...(placeholder === undefined ? {} : { placeholder })}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error !== undefined}
        aria-describedby={error !== undefined ? `${id}-err` : undefined}
      />
      {error !== undefined && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
