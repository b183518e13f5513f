// docker-compose.yml ↔ k8s (STYLE rule 14): the same service names and the same environment variable names.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { workloads } from "./workloads.mjs";

/** Services with their environment names and stop_grace_period (seconds), YAML merge keys resolved. */
export function readCompose(file) {
  const compose = parse(readFileSync(file, "utf8"), { merge: true });
  const services = new Map();
  for (const [name, svc] of Object.entries(compose.services ?? {})) {
    const env = Array.isArray(svc.environment)
      ? new Map(svc.environment.map((e) => [e.split("=")[0], e.split("=").slice(1).join("=")]))
      : new Map(Object.entries(svc.environment ?? {}));
    services.set(name, { env, built: Boolean(svc.build), stopGrace: seconds(svc.stop_grace_period ?? "10s") });
  }
  return services;
}

function seconds(duration) {
  let total = 0;
  for (const [, n, unit] of String(duration).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)) {
    total += Number(n) * { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 }[unit];
  }
  return total;
}

const setDiff = (a, b) => [...a].filter((x) => !b.has(x)).sort();

/** Errors of one overlay's render against compose; `seen` collects the compose services it covered. */
export function mirrorErrors(docs, services, seen) {
  const errors = [];
  for (const w of workloads(docs)) {
    // The migration Job runs the scheduler image with the scheduler's configuration.
    const name = w.doc.kind === "Job" ? "scheduler" : w.doc.metadata.name;
    const svc = services.get(name);
    if (!svc) { errors.push(`${w.id}: no docker-compose.yml service named ${name}`); continue; }
    seen.add(name);
    const k8s = new Set(w.containers[0].env.keys());
    const compose = new Set(svc.env.keys());
    const onlyK8s = setDiff(k8s, compose), onlyCompose = setDiff(compose, k8s);
    if (onlyK8s.length) errors.push(`${w.id}: env only in k8s, not in compose service ${name}: ${onlyK8s.join(", ")}`);
    if (onlyCompose.length) errors.push(`${w.id}: env only in compose service ${name}, not in k8s: ${onlyCompose.join(", ")}`);
  }
  return errors;
}

/** Compose's own rule 13 check: a worker's stop_grace_period exceeds its shutdown timeout. */
export function composeGraceErrors(services) {
  const errors = [];
  for (const [name, svc] of services) {
    const shutdown = svc.env.get("Worker__ShutdownTimeoutSeconds");
    if (shutdown !== undefined && !(svc.stopGrace > Number(shutdown))) {
      errors.push(`compose ${name}: stop_grace_period ${svc.stopGrace}s must exceed Worker__ShutdownTimeoutSeconds ${shutdown}`);
    }
  }
  return errors;
}
