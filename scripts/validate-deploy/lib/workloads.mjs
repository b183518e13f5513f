// Cross-document checks of one rendered kustomization: references resolve, selectors select, and the
// shutdown timeouts agree with the grace periods (STYLE rule 13).

const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

/** Each workload's pod template with every container's environment resolved (ConfigMaps included). */
export function workloads(docs) {
  const configMaps = new Map(docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d.data ?? {}]));
  return docs.filter((d) => workloadKinds.has(d.kind)).map((doc) => {
    const template = doc.spec.template;
    const containers = template.spec.containers.map((c) => {
      const env = new Map();
      const missing = [];
      for (const from of c.envFrom ?? []) {
        const ref = from.configMapRef;
        if (!ref) { missing.push(`envFrom other than configMapRef (keys unknown offline)`); continue; }
        const data = configMaps.get(ref.name);
        if (!data) { if (!ref.optional) missing.push(`ConfigMap ${ref.name} is not in the render`); continue; }
        for (const [k, v] of Object.entries(data)) env.set((from.prefix ?? "") + k, v);
      }
      for (const e of c.env ?? []) env.set(e.name, e.value ?? e.valueFrom);
      return { container: c, env, missing };
    });
    return { doc, id: `${doc.kind}/${doc.metadata.name}`, template, containers };
  });
}

const selects = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;

function preStopSleepSeconds(container) {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return Number(preStop.sleep.seconds);
  const cmd = preStop?.exec?.command ?? [];
  return cmd[0] === "sleep" && cmd.length === 2 ? Number(cmd[1]) : 0;
}

/** Errors of references, selectors, probes and grace periods; `secretKeys` holds "secret/key" pairs. */
export function workloadErrors(docs, secretKeys) {
  const errors = [];
  const all = workloads(docs);
  const podTemplates = all.filter((w) => w.doc.kind !== "Job");
  for (const w of all) {
    if (w.doc.kind !== "Job" && !selects(w.doc.spec.selector?.matchLabels, w.template.metadata?.labels)) {
      errors.push(`${w.id}: spec.selector does not match the pod template's labels`);
    }
    for (const { container: c, env, missing } of w.containers) {
      const at = `${w.id} container ${c.name}`;
      for (const m of missing) errors.push(`${at}: ${m}`);
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !secretKeys.has(`${ref.name}/${ref.key}`)) {
          errors.push(`${at}: ${e.name} reads ${ref.name}/${ref.key}, which secret.example.yaml does not document`);
        }
      }
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === "string" && !ports.has(port)) errors.push(`${at}: ${probe} uses unknown port name "${port}"`);
      }
      const shutdown = env.get("Worker__ShutdownTimeoutSeconds");
      if (shutdown !== undefined) {
        const grace = w.template.spec.terminationGracePeriodSeconds ?? 30;
        const sleep = preStopSleepSeconds(c);
        if (!(grace > Number(shutdown) + sleep)) {
          errors.push(`${at}: terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${sleep} + Worker__ShutdownTimeoutSeconds ${shutdown}`);
        }
      }
    }
  }
  for (const svc of docs.filter((d) => d.kind === "Service")) {
    const targets = podTemplates.filter((w) => selects(svc.spec.selector, w.template.metadata?.labels));
    if (targets.length === 0) errors.push(`Service/${svc.metadata.name}: selector matches no pod template`);
    for (const p of svc.spec.ports ?? []) {
      const named = (w) => w.template.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort));
      if (typeof p.targetPort === "string" && !targets.some(named)) {
        errors.push(`Service/${svc.metadata.name}: targetPort "${p.targetPort}" is no container port name`);
      }
    }
  }
  for (const pdb of docs.filter((d) => d.kind === "PodDisruptionBudget")) {
    if (!podTemplates.some((w) => selects(pdb.spec.selector?.matchLabels, w.template.metadata?.labels))) {
      errors.push(`PodDisruptionBudget/${pdb.metadata.name}: selector matches no pod template`);
    }
  }
  return errors;
}

/** The KEDA target per replica must follow the worker's prefetch: target = Worker__PrefetchCount + 1. */
export function queueTargetErrors(docs) {
  const errors = [];
  const byName = new Map(workloads(docs).map((w) => [w.id, w]));
  for (const so of docs.filter((d) => d.kind === "ScaledObject")) {
    const w = byName.get(`${so.spec.scaleTargetRef.kind ?? "Deployment"}/${so.spec.scaleTargetRef.name}`);
    const prefetch = w?.containers[0]?.env.get("Worker__PrefetchCount");
    for (const t of so.spec.triggers) {
      const target = t.type === "postgresql" ? t.metadata?.targetQueryValue
        : t.type === "rabbitmq" && t.metadata?.mode === "QueueLength" ? t.metadata.value : undefined;
      if (target !== undefined && prefetch !== undefined && Number(target) !== Number(prefetch) + 1) {
        errors.push(`ScaledObject/${so.metadata.name}: ${t.type} target ${target} per replica ≠ Worker__PrefetchCount ${prefetch} + 1`);
      }
    }
  }
  return errors;
}
