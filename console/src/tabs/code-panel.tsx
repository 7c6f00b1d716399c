// New code for an existing function, from a .zip or a folder (zipped in the browser like the CLI does),
// checked against the upload limits before anything is read; and the build log of the current code.
import { useState, type FormEvent } from "react";
import { ApiError, type Api } from "../lib/api.ts";
import { checkZip, toBase64 } from "../lib/upload.ts";
import { checkFolder, zipFolder } from "../lib/zip-folder.ts";
import { ErrorBox } from "../components.tsx";

type Picked = { kind: "zip"; file: File } | { kind: "folder"; files: File[]; name: string };

export function CodePanel({ api, name, onDeployed }: { api: Api; name: string; onDeployed: () => void }) {
  const [picked, setPicked] = useState<Picked | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [buildLog, setBuildLog] = useState<string | undefined>();

  const refuse = (message: string): void => setProblem(new ApiError(0, "InvalidCodePackage", message));

  const pickZip = (file: File | undefined): void => {
    setProblem(undefined);
    setPicked(file === undefined ? undefined : { kind: "zip", file });
  };
  const pickFolder = (list: FileList | null): void => {
    setProblem(undefined);
    const files = list === null ? [] : [...list];
    const first = files[0];
    setPicked(
      first === undefined
        ? undefined
        : { kind: "folder", files, name: (first.webkitRelativePath || first.name).split("/")[0] ?? "folder" },
    );
  };

  const upload = (e: FormEvent): void => {
    e.preventDefault();
    setDone(undefined);
    setProblem(undefined);
    if (picked === undefined) {
      setProblem(new ApiError(0, "NoFile", "choose a .zip file or a folder with the function's code first"));
      return;
    }
    // Both are checked from their sizes alone, before a byte is read.
    const bad =
      picked.kind === "zip"
        ? checkZip(picked.file)
        : checkFolder(picked.files.map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size })));
    if (bad !== undefined) {
      refuse(bad);
      return;
    }
    setBusy(true);
    const bytes =
      picked.kind === "zip"
        ? picked.file.arrayBuffer().then((b) => new Uint8Array(b))
        : zipFolder(picked.files);
    const label = picked.kind === "zip" ? picked.file.name : `folder ${picked.name}`;
    bytes
      .then((b) => api.deploy({ name, zipFile: toBase64(b) }))
      .then(
        (c) => {
          setBusy(false);
          setDone(
            `Deployed ${label}: ${(c.codeSize / 1024).toFixed(1)} KB, SHA-256 ${c.codeSha256.slice(0, 12)}…`,
          );
          onDeployed();
        },
        (err: unknown) => {
          setBusy(false);
          if (err instanceof ApiError) setProblem(err);
          else refuse(err instanceof Error ? err.message : String(err));
        },
      );
  };

  const showBuildLog = (): void => {
    setProblem(undefined);
    api.buildLog(name).then(
      (b) =>
        setBuildLog(`${b.status} in ${(b.durationMs / 1000).toFixed(1)} s with ${b.toolchain}\n\n${b.log}`),
      (err: unknown) => {
        // A package deployed as uploaded has no build: the server's 404 says so, shown as the log.
        if (err instanceof ApiError && err.status === 404) setBuildLog(err.message);
        else setProblem(err);
      },
    );
  };

  return (
    <form onSubmit={upload} aria-labelledby="code-title">
      <h2 id="code-title">Code</h2>
      <div className="field">
        <label htmlFor="code-zip">Deploy new code (.zip, up to 50 MB)</label>
        <input
          id="code-zip"
          type="file"
          accept=".zip,application/zip"
          onChange={(e) => pickZip(e.target.files?.[0])}
        />
      </div>
      <div className="field">
        <label htmlFor="code-folder">or a folder (zipped here)</label>
        <input
          id="code-folder"
          type="file"
          multiple
          // React has no typed prop for webkitdirectory: set it on the element.
          ref={(el) => el?.setAttribute("webkitdirectory", "")}
          onChange={(e) => pickFolder(e.target.files)}
        />
      </div>
      {problem !== undefined && <ErrorBox error={problem} />}
      {done !== undefined && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? "Deploying…" : "Deploy"}
        </button>
        <button type="button" className="secondary" onClick={showBuildLog}>
          Build log
        </button>
      </div>
      {buildLog !== undefined && <pre className="log">{buildLog}</pre>}
    </form>
  );
}
