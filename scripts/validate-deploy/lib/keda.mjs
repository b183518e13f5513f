// What the KEDA models cannot check: trigger metadata is a free map of strings. The RabbitMQ scaler's
// parameters (keda.sh/docs/latest/scalers/rabbitmq-queue) are checked here, with the links between a
// ScaledObject, its target, its TriggerAuthentication and the Secret that one reads.

const rabbitMetadata = new Set([
  "host", "hostFromEnv", "usernameFromEnv", "passwordFromEnv", "protocol", "mode", "value", "activationValue",
  "queueName", "vhostName", "useRegex", "excludeUnacknowledged", "pageSize", "operation", "timeout", "unsafeSsl",
]);
const rabbitAuthParameters = new Set([
  "host", "username", "password", "ca", "cert", "key", "keyPassword", "tls", "workloadIdentityResource",
]);
const isNumber = (s) => typeof s === "string" && s.trim() !== "" && Number.isFinite(Number(s));

/** Errors of the KEDA objects among `docs` (one rendered kustomization). */
export function kedaErrors(docs, secretKeys) {
  const errors = [];
  const find = (kind, name) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
  for (const so of docs.filter((d) => d.kind === "ScaledObject")) {
    const at = `ScaledObject/${so.metadata.name}`;
    const { spec } = so;
    const targetKind = spec.scaleTargetRef.kind ?? "Deployment";
    if (!find(targetKind, spec.scaleTargetRef.name)) {
      errors.push(`${at}: scaleTargetRef ${targetKind}/${spec.scaleTargetRef.name} is not in the render`);
    }
    if ((spec.minReplicaCount ?? 0) > (spec.maxReplicaCount ?? 100)) errors.push(`${at}: minReplicaCount > maxReplicaCount`);
    for (const [i, trigger] of spec.triggers.entries()) {
      if (trigger.type !== "rabbitmq") continue;
      const where = `${at} trigger ${i}`;
      const md = trigger.metadata ?? {};
      for (const key of Object.keys(md)) if (!rabbitMetadata.has(key)) errors.push(`${where}: unknown rabbitmq parameter "${key}"`);
      if (!md.queueName) errors.push(`${where}: queueName is required`);
      if (!["QueueLength", "MessageRate"].includes(md.mode)) errors.push(`${where}: mode must be QueueLength or MessageRate`);
      if (!isNumber(md.value)) errors.push(`${where}: value must be a number in a string`);
      if (md.activationValue !== undefined && !isNumber(md.activationValue)) errors.push(`${where}: activationValue must be a number in a string`);
      if (md.protocol && !["auto", "amqp", "http"].includes(md.protocol)) errors.push(`${where}: protocol must be auto, amqp or http`);
      let host = Boolean(md.host || md.hostFromEnv);
      if (trigger.authenticationRef) {
        const kind = trigger.authenticationRef.kind ?? "TriggerAuthentication";
        const auth = find(kind, trigger.authenticationRef.name);
        if (!auth) {
          errors.push(`${where}: ${kind}/${trigger.authenticationRef.name} is not in the render`);
          continue;
        }
        for (const ref of auth.spec.secretTargetRef ?? []) {
          if (!rabbitAuthParameters.has(ref.parameter)) errors.push(`${kind}/${auth.metadata.name}: unknown rabbitmq parameter "${ref.parameter}"`);
          if (!secretKeys.has(`${ref.name}/${ref.key}`)) {
            errors.push(`${kind}/${auth.metadata.name}: Secret key ${ref.name}/${ref.key} is not in secret.example.yaml`);
          }
          if (ref.parameter === "host") host = true;
        }
      }
      if (!host) errors.push(`${where}: no host (metadata host/hostFromEnv or a TriggerAuthentication parameter "host")`);
    }
  }
  return errors;
}
