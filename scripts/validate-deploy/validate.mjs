// Validates k8s/ offline and its agreement with docker-compose.yml. Usage: node validate.mjs <repository root>
//
// For the base and every overlay: `kubectl kustomize` renders it; every document is built into its
// kubernetes-models class (KEDA's from @kubernetes-models/keda) and validate()d against the API's JSON
// schema, then checked for fields the API does not declare; then the render's references (ConfigMaps,
// Secret keys, selectors, probe ports, ScaledObject target and TriggerAuthentication), the grace periods
// and the KEDA queue target. Overlays must mirror docker-compose.yml: service names and variable names.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { composeGraceErrors, mirrorErrors, readCompose } from "./lib/compose.mjs";
import { kedaErrors } from "./lib/keda.mjs";
import { modelModule, validateModel } from "./lib/models.mjs";
import { unknownFields } from "./lib/strict-fields.mjs";
import { queueTargetErrors, workloadErrors } from "./lib/workloads.mjs";

const root = resolve(process.argv[2] ?? join(import.meta.dirname, "..", ".."));
const k8s = join(root, "k8s");
let failed = false;

function report(title, errors, detail) {
  if (errors.length === 0) {
    console.log(`ok    ${title}${detail ? `: ${detail}` : ""}`);
    return;
  }
  failed = true;
  console.log(`FAIL  ${title}`);
  for (const e of errors) console.log(`        ${e}`);
}

const loadAll = (text) => parseAllDocuments(text).map((d) => {
  if (d.errors.length) throw new Error(d.errors.map(String).join("\n"));
  return d.toJS();
}).filter(Boolean);

async function schemaErrors(docs) {
  const errors = [];
  for (const doc of docs) {
    const id = `${doc.kind}/${doc.metadata?.name}`;
    const module = modelModule(doc.apiVersion, doc.kind);
    if (!module) { errors.push(`${id}: no model for ${doc.apiVersion} ${doc.kind}`); continue; }
    for (const e of await validateModel(module, doc)) errors.push(`${id}: ${e}`);
    for (const e of unknownFields(module, doc)) errors.push(`${id}: ${e}`);
  }
  return errors;
}

const countKinds = (docs) => {
  const counts = new Map();
  for (const d of docs) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
};

// The Secret is created by hand; its example documents the keys every reference must find.
const secretFile = join(k8s, "base", "secret.example.yaml");
const secretDocs = loadAll(readFileSync(secretFile, "utf8"));
const secretKeys = new Set(secretDocs.flatMap((s) =>
  Object.keys({ ...s.data, ...s.stringData }).map((k) => `${s.metadata.name}/${k}`)));
report("k8s/base/secret.example.yaml (not in the kustomization)", await schemaErrors(secretDocs),
  `${secretKeys.size} keys: ${[...secretKeys].join(", ")}`);

const services = readCompose(join(root, "docker-compose.yml"));
const mirrored = new Set();
const targets = ["base", ...readdirSync(join(k8s, "overlays")).sort().map((o) => `overlays/${o}`)];
for (const target of targets) {
  let docs;
  try {
    docs = loadAll(execFileSync("kubectl", ["kustomize", join(k8s, target)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (error) {
    report(`k8s/${target}`, [`kubectl kustomize failed: ${error.stderr ?? error.message}`]);
    continue;
  }
  const errors = [
    ...await schemaErrors(docs),
    ...workloadErrors(docs, secretKeys),
    ...kedaErrors(docs, secretKeys),
    ...queueTargetErrors(docs),
    // The base is not applied on its own; the overlays are what compose mirrors.
    ...(target === "base" ? [] : mirrorErrors(docs, services, mirrored)),
  ];
  report(`k8s/${target}`, errors, `${docs.length} documents (${countKinds(docs)})`);
}

const unmirrored = [...services]
  .filter(([name, s]) => s.built && !mirrored.has(name))
  .map(([name]) => `compose service ${name} has no Deployment of that name in any overlay`);
report("docker-compose.yml ↔ k8s overlays", [...composeGraceErrors(services), ...unmirrored],
  `services ${[...mirrored].sort().join(", ")} have the same names and environment variable names in both`);

process.exit(failed ? 1 : 0);
