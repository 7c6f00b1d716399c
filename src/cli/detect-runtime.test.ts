// Runtime and handler detection on real temporary directories and zips, as `vajra deploy` sees them.

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import yazl from "yazl";
import type { RuntimeInfo } from "./api-types.js";
import { directorySource, zipSource } from "./code-source.js";
import { chooseRuntime, detectFamily, detectHandler, familyOfRuntime } from "./detect-runtime.js";
import { CliError, EXIT_USAGE, UsageError } from "./errors.js";

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vajra-cli-detect-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function detect(files: Record<string, string>): Promise<{ family: string; handler: string }> {
  const code = await directorySource(await project(files));
  const { family } = detectFamily(code.files, code.tree);
  return { family, handler: (await detectHandler(family, code)).value };
}

const rt = (id: string, available = true, deprecated = false): RuntimeInfo => ({ id, available, deprecated });

void describe("runtime family detection", () => {
  void test("requirements.txt or a .py file means Python", () => {
    assert.equal(detectFamily(["requirements.txt"]).family, "python");
    assert.equal(detectFamily(["app.py", "README.md"]).family, "python");
  });

  void test("package.json or a .js/.mjs/.cjs file means Node.js", () => {
    assert.equal(detectFamily(["package.json"]).family, "nodejs");
    assert.equal(detectFamily(["handler.mjs"]).family, "nodejs");
    assert.equal(detectFamily(["lib.cjs"]).family, "nodejs");
  });

  void test("says which file decided", () => {
    assert.match(detectFamily(["requirements.txt", "app.py"]).reason, /requirements\.txt/);
  });

  void test("refuses to guess when both languages are present, asking for --runtime", () => {
    assert.throws(
      () => detectFamily(["app.py", "index.js"]),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /--runtime/);
        return true;
      },
    );
  });

  void test("compiled families and custom runtimes come from their build files", () => {
    assert.equal(detectFamily(["Cargo.toml", "bootstrap"]).family, "rust");
    assert.equal(detectFamily(["go.mod", "main.go"]).family, "go");
    assert.equal(detectFamily(["main.go"]).family, "go");
    assert.equal(detectFamily(["pom.xml"], ["pom.xml", "src/main/java/a/B.java"]).family, "java");
    assert.equal(detectFamily(["README.md"], ["README.md", "src/Hello.java"]).family, "java");
    assert.equal(detectFamily(["app.jar"]).family, "java");
    assert.equal(detectFamily(["Hello.csproj", "Function.cs"]).family, "dotnet");
    assert.equal(detectFamily(["bootstrap", "README.md"]).family, "provided");
    // A Python package that happens to ship a bootstrap script is still Python.
    assert.equal(detectFamily(["bootstrap", "app.py"]).family, "python");
  });

  void test("asks for --runtime when nothing is recognised", () => {
    assert.throws(() => detectFamily(["README.md", "Makefile"]), /pass --runtime/);
  });

  void test("maps runtime ids to families", () => {
    assert.equal(familyOfRuntime("python3.11"), "python");
    assert.equal(familyOfRuntime("nodejs20.x"), "nodejs");
    assert.equal(familyOfRuntime("nodejs20"), "nodejs");
    assert.equal(familyOfRuntime("provided.al2023"), "provided");
    assert.equal(familyOfRuntime("java17"), "java");
    assert.equal(familyOfRuntime("go1.19"), "go");
    assert.equal(familyOfRuntime("rust1.70"), "rust");
    assert.equal(familyOfRuntime("dotnet8"), "dotnet");
    assert.equal(familyOfRuntime("ruby3.2"), undefined);
  });
});

void describe("runtime choice among the server's runtimes", () => {
  void test("prefers python3.12 when it is available", () => {
    assert.equal(
      chooseRuntime("python", [rt("python3.13"), rt("python3.12"), rt("nodejs20.x")]),
      "python3.12",
    );
  });

  void test("otherwise takes the newest available python3.x", () => {
    assert.equal(
      chooseRuntime("python", [rt("python3.9"), rt("python3.12", false), rt("python3.11"), rt("python3.10")]),
      "python3.11",
    );
  });

  void test("takes the newest supported nodejs", () => {
    assert.equal(chooseRuntime("nodejs", [rt("nodejs22.x"), rt("nodejs20.x", true, true)]), "nodejs22.x");
    assert.equal(
      chooseRuntime("nodejs", [rt("nodejs18.x", true, true), rt("nodejs20.x", true, true)]),
      "nodejs20.x",
    );
    assert.equal(
      chooseRuntime("nodejs", [rt("nodejs18.x"), rt("nodejs22.x"), rt("nodejs20.x", false)]),
      "nodejs22.x",
    );
  });

  void test("takes a supported runtime before a newer deprecated one", () => {
    assert.equal(chooseRuntime("python", [rt("python3.13", true, true), rt("python3.9")]), "python3.9");
  });

  void test("fails clearly when no runtime of the family is available", () => {
    assert.throws(
      () => chooseRuntime("python", [rt("python3.12", false), rt("nodejs20.x")]),
      (err: unknown) => {
        assert.ok(err instanceof CliError);
        assert.match(err.message, /no Python runtime is available/);
        return true;
      },
    );
  });
});

void describe("handler detection", () => {
  void test("Java: package.Class::method of the one source with a handleRequest method", async () => {
    const java =
      "package example;\n\nimport java.util.Map;\n\npublic class Hello {\n" +
      "  public Map<String, Object> handleRequest(Map<String, Object> event, Object context) { return event; }\n}\n";
    assert.deepEqual(await detect({ "pom.xml": "<project/>", "src/main/java/example/Hello.java": java }), {
      family: "java",
      handler: "example.Hello::handleRequest",
    });
  });

  void test("compiled and custom runtimes run their bootstrap", async () => {
    assert.deepEqual(await detect({ "go.mod": "module x\n", "main.go": "package main\n" }), {
      family: "go",
      handler: "bootstrap",
    });
  });

  void test("lambda_function.py gives lambda_function.lambda_handler", async () => {
    assert.deepEqual(
      await detect({ "lambda_function.py": "x = 1\n", "app.py": "def handler(e, c): pass\n" }),
      {
        family: "python",
        handler: "lambda_function.lambda_handler",
      },
    );
  });

  void test("uses the function name app.py defines", async () => {
    assert.equal(
      (await detect({ "app.py": "import os\n\ndef handler(event, context):\n  return 1\n" })).handler,
      "app.handler",
    );
    assert.equal(
      (await detect({ "main.py": "def lambda_handler(event, context):\n  pass\n" })).handler,
      "main.lambda_handler",
    );
  });

  void test("follows the order app.py, main.py, handler.py, index.py and skips files without a handler", async () => {
    const result = await detect({
      "app.py": "def helper():\n  pass\n",
      "handler.py": "def handler(e, c):\n  pass\n",
      "index.py": "def handler(e, c):\n  pass\n",
    });
    assert.equal(result.handler, "handler.handler");
  });

  void test("accepts a single top-level .py with any name", async () => {
    assert.equal((await detect({ "work.py": "def handler(e, c):\n  pass\n" })).handler, "work.handler");
  });

  void test("does not pick among several unconventional .py files", async () => {
    await assert.rejects(
      detect({ "a.py": "def handler(e, c): pass\n", "b.py": "def handler(e, c): pass\n" }),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, EXIT_USAGE);
        assert.match(err.message, /pass --handler/);
        return true;
      },
    );
  });

  void test("does not take a nested or commented-out def for the handler", async () => {
    await assert.rejects(
      detect({ "app.py": "class A:\n    def handler(self):\n        pass\n# def handler(e, c)\n" }),
      /--handler/,
    );
  });

  void test("index.js, index.mjs or index.cjs gives index.handler", async () => {
    for (const file of ["index.js", "index.mjs", "index.cjs"]) {
      assert.deepEqual(await detect({ [file]: "export const handler = async () => 1;\n" }), {
        family: "nodejs",
        handler: "index.handler",
      });
    }
  });

  void test("otherwise uses the main of package.json", async () => {
    const result = await detect({ "package.json": JSON.stringify({ main: "./lib/app.js" }) });
    assert.equal(result.handler, "lib/app.handler");
  });

  void test("asks for --handler when package.json has no main", async () => {
    await assert.rejects(detect({ "package.json": "{}", "util.js": "" }), /pass --handler/);
  });

  void test("reads the files of a .zip the same way as a directory", async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from("def lambda_handler(event, context):\n  return 1\n"), "main.py");
    zip.addBuffer(Buffer.from("x"), "pkg/app.py");
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    const code = await zipSource(Buffer.concat(chunks), "code.zip");
    assert.deepEqual(code.files, ["main.py"]);
    assert.equal((await detectHandler("python", code)).value, "main.lambda_handler");
  });

  void test("reports a file that is not a zip", async () => {
    await assert.rejects(
      zipSource(Buffer.from("not a zip"), "code.zip"),
      /code\.zip is not a valid zip file/,
    );
  });
});
