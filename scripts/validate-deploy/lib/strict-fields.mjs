// Unknown-field check, like `kubectl apply --validate=strict`: validate() of kubernetes-models accepts any
// extra property (a misspelt `readinesProbe` passes), so every key of a document is checked against the
// properties declared in the models' TypeScript declarations (.d.ts), following their types.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { nodeModules } from "./models.mjs";

const files = new Map();

function parseFile(file) {
  if (files.has(file)) return files.get(file);
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of text.matchAll(/import \{([^}]+)\} from "([^"]+)";/g)) {
    for (const name of m[1].split(",").map((n) => n.trim()).filter(Boolean)) imports.set(name, m[2]);
  }
  const interfaces = new Map();
  for (const m of text.matchAll(/export interface (\w+)(?: extends [^{]+)? \{/g)) {
    interfaces.set(m[1], parseProps(block(text, m.index + m[0].length - 1)));
  }
  const parsed = { file, imports, interfaces, main: interfaces.values().next().value ?? null };
  files.set(file, parsed);
  return parsed;
}

// The text between the brace at `open` and its partner.
function block(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error("unbalanced braces");
}

// `"name"?: type;` pairs at the top level of an interface or object-literal type.
function parseProps(body) {
  const props = new Map();
  let i = 0;
  while (i < body.length) {
    const m = /"([^"]+)"\??:\s*/y;
    m.lastIndex = i;
    const hit = m.exec(body);
    if (!hit) { i++; continue; }
    let j = m.lastIndex, depth = 0;
    for (; j < body.length; j++) {
      const c = body[j];
      if ("{<([".includes(c)) depth++;
      else if ("}>)]".includes(c)) depth--;
      else if (c === ";" && depth === 0) break;
    }
    props.set(hit[1], body.slice(m.lastIndex, j).trim());
    i = j + 1;
  }
  return props;
}

function resolveSpec(spec, from) {
  const base = spec.startsWith(".") ? resolve(dirname(from), spec) : join(nodeModules, spec);
  const stem = base.replace(/\.js$/, "");
  return [`${stem}.d.ts`, join(stem, "index.d.ts")].find(existsSync) ?? null;
}

// A type expression → {props} (object), {items} (array), {values} (map) or null (scalar, no check).
function resolveType(type, ctx) {
  type = type.replace(/\s*\|\s*null\b|\bnull\s*\|\s*/g, "").trim();
  const array = /^Array<([\s\S]+)>$/.exec(type);
  if (array) return { items: resolveType(array[1], ctx) };
  if (type.startsWith("{")) {
    const map = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(type);
    if (map) return { values: resolveType(map[1], ctx) };
    return { props: parseProps(block(type, 0)), ctx };
  }
  if (ctx.interfaces.has(type)) return { props: ctx.interfaces.get(type), ctx };
  const spec = ctx.imports.get(type);
  const file = spec && resolveSpec(spec, ctx.file);
  if (!file) return null;
  const target = parseFile(file);
  return target.main ? { props: target.main, ctx: target } : null;
}

function walk(value, node, path, errors) {
  if (!node || value === null || typeof value !== "object") return;
  if (node.items) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, node.items, `${path}/${i}`, errors));
  } else if (node.values) {
    for (const [k, v] of Object.entries(value)) walk(v, node.values, `${path}/${k}`, errors);
  } else if (node.props && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!node.props.has(k)) errors.push(`${path || "/"}: unknown field "${k}"`);
      else walk(v, resolveType(node.props.get(k), node.ctx), `${path}/${k}`, errors);
    }
  }
}

/** Paths of fields the model of `module` (see models.mjs) does not declare. */
export function unknownFields(module, doc) {
  const root = parseFile(join(nodeModules, `${module}.d.ts`));
  const errors = [];
  walk(doc, { props: root.main, ctx: root }, "", errors);
  return errors;
}
