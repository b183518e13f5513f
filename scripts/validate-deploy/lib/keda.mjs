// What the KEDA models cannot check: trigger metadata is a free map of strings. The parameters of the
// RabbitMQ and PostgreSQL scalers (keda.sh/docs/latest/scalers/rabbitmq-queue, .../postgresql) are checked
// here, with the links between a ScaledObject, its target, its TriggerAuthentication and the Secret that
// one reads. Whether the PostgreSQL query counts the right thing is tested against a real database
// (tests/Dla.Integration.Tests/Deployment/KedaBacklogQueryTests).

const rabbitMetadata = new Set([
  "host", "hostFromEnv", "usernameFromEnv", "passwordFromEnv", "protocol", "mode", "value", "activationValue",
  "queueName", "vhostName", "useRegex", "excludeUnacknowledged", "pageSize", "operation", "timeout", "unsafeSsl",
]);
const rabbitAuthParameters = new Set([
  "host", "username", "password", "ca", "cert", "key", "keyPassword", "tls", "workloadIdentityResource",
]);
const postgresMetadata = new Set([
  "query", "targetQueryValue", "activationTargetQueryValue", "connectionFromEnv", "host", "port", "userName",
  "passwordFromEnv", "dbName", "sslmode", "metricName",
]);
const postgresAuthParameters = new Set(["connection", "host", "port", "userName", "password", "dbName", "sslmode", "podIdentity"]);
const scalers = {
  rabbitmq: { metadata: rabbitMetadata, auth: rabbitAuthParameters, check: rabbitErrors, connects: (md) => Boolean(md.host || md.hostFromEnv), via: "host" },
  postgresql: { metadata: postgresMetadata, auth: postgresAuthParameters, check: postgresErrors, connects: (md) => Boolean(md.connectionFromEnv || md.host), via: "connection" },
};
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
      const scaler = scalers[trigger.type];
      const where = `${at} trigger ${i}`;
      if (!scaler) {
        errors.push(`${where}: trigger type "${trigger.type}" is not one this project checks (rabbitmq, postgresql)`);
        continue;
      }
      const md = trigger.metadata ?? {};
      for (const key of Object.keys(md)) if (!scaler.metadata.has(key)) errors.push(`${where}: unknown ${trigger.type} parameter "${key}"`);
      errors.push(...scaler.check(md).map((e) => `${where}: ${e}`));
      let connects = scaler.connects(md);
      if (trigger.authenticationRef) {
        const kind = trigger.authenticationRef.kind ?? "TriggerAuthentication";
        const auth = find(kind, trigger.authenticationRef.name);
        if (!auth) {
          errors.push(`${where}: ${kind}/${trigger.authenticationRef.name} is not in the render`);
          continue;
        }
        for (const ref of auth.spec.secretTargetRef ?? []) {
          if (!scaler.auth.has(ref.parameter)) errors.push(`${kind}/${auth.metadata.name}: unknown ${trigger.type} parameter "${ref.parameter}"`);
          if (!secretKeys.has(`${ref.name}/${ref.key}`)) {
            errors.push(`${kind}/${auth.metadata.name}: Secret key ${ref.name}/${ref.key} is not in secret.example.yaml`);
          }
          if (ref.parameter === scaler.via || ref.parameter === "host") connects = true;
        }
      }
      if (!connects) errors.push(`${where}: nothing to connect with (metadata or a TriggerAuthentication parameter "${scaler.via}")`);
    }
  }
  return errors;
}

function rabbitErrors(md) {
  const errors = [];
  if (!md.queueName) errors.push("queueName is required");
  if (!["QueueLength", "MessageRate"].includes(md.mode)) errors.push("mode must be QueueLength or MessageRate");
  if (!isNumber(md.value)) errors.push("value must be a number in a string");
  if (md.activationValue !== undefined && !isNumber(md.activationValue)) errors.push("activationValue must be a number in a string");
  if (md.protocol && !["auto", "amqp", "http"].includes(md.protocol)) errors.push("protocol must be auto, amqp or http");
  return errors;
}

function postgresErrors(md) {
  const errors = [];
  if (!md.query || !/^\s*select\b/i.test(md.query)) errors.push("query is required and must be a SELECT");
  if (!isNumber(md.targetQueryValue)) errors.push("targetQueryValue must be a number in a string");
  if (md.activationTargetQueryValue !== undefined && !isNumber(md.activationTargetQueryValue)) {
    errors.push("activationTargetQueryValue must be a number in a string");
  }
  return errors;
}
