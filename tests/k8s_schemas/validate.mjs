// Validates prometheus-operator custom resources against @kubernetes-models/prometheus-operator,
// in two ways:
//   1. the package's JSON-schema validators (types, required fields, enums, duration patterns);
//   2. a TypeScript type check of each object as a literal of the package's interface
//      (IServiceMonitor, IPrometheusRule, ...): excess-property checks reject unknown fields at
//      any depth, which the JSON-schema validators let through (their schemas are open).
//
// stdin: a JSON array of Kubernetes objects (monitoring.coreos.com/* only).
// stdout: a JSON array, one entry per object: {"kind", "name", "errors": [string]}; empty
// "errors" means valid. Exit code 0 when every object is valid, 1 when any is not, 2 on bad
// input. Used by tests/support/helm.py.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const PACKAGE = "@kubernetes-models/prometheus-operator";
const HERE = dirname(fileURLToPath(import.meta.url));

function modelPath(object) {
  const [group, version] = String(object?.apiVersion).split("/");
  const kind = String(object?.kind);
  if (group !== "monitoring.coreos.com" || !/^v[0-9a-z]+$/.test(version ?? "")) {
    throw new Error(`not a prometheus-operator apiVersion: ${object?.apiVersion}`);
  }
  if (!/^[A-Za-z]+$/.test(kind)) {
    throw new Error(`bad kind: ${kind}`);
  }
  return { specifier: `${PACKAGE}/${group}/${version}/${kind}`, kind };
}

async function schemaErrors(object) {
  const { specifier, kind } = modelPath(object);
  const module = await import(specifier);
  const Model = module[kind];
  if (typeof Model !== "function") {
    throw new Error(`${PACKAGE} has no model for ${object.apiVersion} ${kind}`);
  }
  new Model(object).validate();
}

// Type-check every object in one in-memory TypeScript program; returns index -> [messages].
function typeErrors(objects) {
  const sources = new Map();
  objects.forEach((object, index) => {
    try {
      const { specifier, kind } = modelPath(object);
      const source =
        `import type { I${kind} } from ${JSON.stringify(specifier)};\n` +
        `export const object: I${kind} = ${JSON.stringify(object, null, 2)};\n`;
      sources.set(join(HERE, `__rendered_object_${index}.ts`), { index, source });
    } catch {
      // reported by schemaErrors
    }
  });
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => sources.has(name) || fileExists.call(host, name);
  host.readFile = (name) => sources.get(name)?.source ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) =>
    sources.has(name)
      ? ts.createSourceFile(name, sources.get(name).source, language)
      : getSourceFile.call(host, name, language, ...rest);
  const program = ts.createProgram([...sources.keys()], options, host);
  const found = new Map();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const entry = diagnostic.file && sources.get(diagnostic.file.fileName);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (!entry) {
      throw new Error(`TypeScript: ${message}`);
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const text = entry.source.split("\n")[line].trim();
    const list = found.get(entry.index) ?? [];
    list.push(`type check: ${message} (at: ${text})`);
    found.set(entry.index, list);
  }
  return found;
}

let objects;
try {
  objects = JSON.parse(readFileSync(0, "utf8"));
  if (!Array.isArray(objects)) throw new Error("expected a JSON array");
} catch (error) {
  console.error(`validate.mjs: bad input: ${error.message}`);
  process.exit(2);
}

const typed = typeErrors(objects);
const results = [];
for (const [index, object] of objects.entries()) {
  const result = { kind: object?.kind ?? null, name: object?.metadata?.name ?? null, errors: [] };
  try {
    await schemaErrors(object);
  } catch (error) {
    result.errors.push(String(error?.message ?? error));
  }
  result.errors.push(...(typed.get(index) ?? []));
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
process.exit(results.every((r) => r.errors.length === 0) ? 0 : 1);
