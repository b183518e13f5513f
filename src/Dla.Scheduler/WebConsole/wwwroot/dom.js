// Small helpers to build the DOM without innerHTML, so nothing from the server is ever parsed as markup.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const clear = node => { node.replaceChildren(); return node; };

export const percent = p => p === null || p === undefined ? '—' : `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;

export const count = n => n === null || n === undefined ? '—' : Number(n).toLocaleString('en');

export function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const rate = r => r ? `${r.toFixed(r < 10 ? 1 : 0)}/s` : '—';

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return el('time', { datetime: iso, title: d.toISOString() }, d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }));
}

export const stateBadge = state => el('span', { class: `badge state-${state}` }, state);

export const isFinal = state => ['succeeded', 'failed', 'cancelled'].includes(state);

/** The job's progress as a labelled progress bar with its exact counts beside it. */
export function progressBar(p, label) {
  if (!p) return el('span', { class: 'muted' }, '—');
  const done = p.succeeded + p.failed;
  return el('div', { class: 'progress' },
    el('progress', { max: Math.max(p.total, 1), value: done, 'aria-label': label }),
    el('span', { class: 'progress-text' }, `${count(done)} / ${count(p.total)}${p.total_final ? '' : '+'}`));
}

/** Shows an error where the page put its message area (role=alert so screen readers hear it). */
export function showError(area, error) {
  clear(area).append(el('p', { class: 'error', role: 'alert' }, error.message ?? String(error)));
}
