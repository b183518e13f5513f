// The kubernetes-models class for a document's apiVersion and kind, and the .d.ts file that declares it.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const nodeModules = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules");

/** Module path (no extension) of the model for apiVersion/kind, or null when no package declares it. */
export function modelModule(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates = group.endsWith("keda.sh")
    ? [`@kubernetes-models/keda/${group}/${version}/${kind}`]
    : [group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`];
  return candidates.find((m) => existsSync(join(nodeModules, `${m}.d.ts`))) ?? null;
}

/** Constructs the model and runs its JSON-schema validate(); returns error strings. */
export async function validateModel(module, doc) {
  const exports = await import(module);
  const Model = exports[doc.kind];
  if (typeof Model !== "function") return [`${module} exports no class ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (error) {
    return [String(error.message ?? error)];
  }
}
