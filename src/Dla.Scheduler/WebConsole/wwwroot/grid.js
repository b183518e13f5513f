// The results grid (thumbnails with top-1 label and probability) and an image's detail dialog (top-k as bars,
// nearest neighbours by embedding). Used by the job page (its first page) and the results page (all of it).
import { api, jobUrl, thumbnailUrl } from './api.js';
import { el, clear, percent, showError } from './dom.js';

export function gridItem(jobId, item, open) {
  const caption = item.label === null || item.label === undefined
    ? el('span', { class: 'muted' }, 'no label')
    : [el('span', { class: 'label' }, item.label), ' ', el('span', { class: 'prob' }, percent(item.probability))];
  return el('li', {},
    el('button', { type: 'button', class: 'tile', 'data-image': item.image_id, onclick: () => open(item.image_id),
      'aria-label': `${item.path}: ${item.label ?? 'no label'} ${percent(item.probability)}` },
      el('img', { src: thumbnailUrl(jobId, item.image_id), alt: '', loading: 'lazy', width: 160, height: 160 }),
      el('span', { class: 'caption' }, caption)));
}

/** Loads pages of <c>/results/browse</c> into a list; returns the list and a function that loads the next page. */
export function resultGrid(jobId, filters, open, { limit = 60, onPage } = {}) {
  const list = el('ul', { class: 'grid', 'aria-label': 'Results' });
  let next = null;
  let first = true;
  async function more() {
    const params = new URLSearchParams({ limit, ...filters });
    if (!first) {
      if (!next) return false;
      params.set('after', next);
    }
    const page = await api(`${jobUrl(jobId)}/results/browse?${params}`);
    first = false;
    next = page.next;
    list.append(...page.items.map(item => gridItem(jobId, item, open)));
    onPage?.(page, list.children.length);
    return next !== null;
  }
  return { list, more };
}

/** The detail of one image in a modal dialog; neighbours open their own detail in place. */
export function imageDialog(jobId) {
  const body = el('div', { class: 'dialog-body' });
  const dialog = el('dialog', { class: 'detail', 'aria-labelledby': 'detail-title' },
    el('div', { class: 'dialog-head' }, el('h2', { id: 'detail-title' }, 'Image'),
      el('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => dialog.close() }, '×')),
    body);
  document.body.append(dialog);
  dialog.addEventListener('click', event => { if (event.target === dialog) dialog.close(); });

  async function open(imageId) {
    clear(body).append(el('p', { class: 'muted' }, 'Loading…'));
    if (!dialog.open) dialog.showModal();
    try {
      const image = await api(`${jobUrl(jobId)}/images/${imageId}`);
      dialog.querySelector('h2').textContent = image.path;
      const picture = el('img', { class: 'large', src: thumbnailUrl(jobId, imageId, 512), alt: `Image ${image.path}` });
      const facts = el('div', { class: 'facts' });
      if (image.error) facts.append(el('p', { class: 'error' }, `${image.error.kind}: ${image.error.message}`));
      if (image.top_k) {
        facts.append(el('h3', {}, `Top ${image.top_k.length}`), el('ol', { class: 'bars' }, image.top_k.map(c => el('li', {},
          el('span', { class: 'bar-label' }, c.label),
          el('span', { class: 'bar', role: 'img', 'aria-label': percent(c.probability) }, fill(c.probability)),
          el('span', { class: 'bar-value' }, percent(c.probability))))));
      }
      const neighbours = el('section', { 'aria-labelledby': 'neighbours-title' }, el('h3', { id: 'neighbours-title' }, 'Nearest neighbours'));
      clear(body).append(el('div', { class: 'detail-grid' }, picture, facts), neighbours);
      if (!image.has_embedding) {
        neighbours.append(el('p', { class: 'muted' }, 'This job has no embedding for this image (tasks without embed, or no result).'));
        return;
      }
      const status = el('p', { class: 'muted' }, 'Searching…');
      neighbours.append(status);
      try {
        const result = await api(`${jobUrl(jobId)}/search`, { method: 'POST', json: { image_path: image.path, k: 8 } });
        status.remove();
        neighbours.append(hitList(jobId, result.hits, open));
      } catch (error) {
        showError(status, error);
      }
    } catch (error) {
      showError(body, error);
    }
  }
  return { open, remove: () => dialog.remove() };
}

// The CSP forbids style attributes; a property set from script is allowed.
function fill(probability) {
  const span = el('span');
  span.style.width = `${(probability * 100).toFixed(1)}%`;
  return span;
}

/** Search hits as thumbnails with their cosine distance. */
export function hitList(jobId, hits, open) {
  return el('ul', { class: 'grid small-grid', 'aria-label': 'Nearest images' }, hits.map(hit => el('li', {},
    el('button', { type: 'button', class: 'tile', 'data-image': hit.image_id, onclick: () => open(hit.image_id), 'aria-label': `${hit.path}, distance ${hit.distance.toFixed(3)}` },
      el('img', { src: thumbnailUrl(jobId, hit.image_id, 128), alt: '', loading: 'lazy', width: 96, height: 96 }),
      el('span', { class: 'caption' }, el('span', { class: 'label' }, hit.path), ' ', el('span', { class: 'prob' }, `d ${hit.distance.toFixed(3)}`))))));
}
