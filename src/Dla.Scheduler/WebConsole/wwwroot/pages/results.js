import { api, jobUrl } from '../api.js';
import { el, clear, count, showError } from '../dom.js';
import { resultGrid, imageDialog, hitList } from '../grid.js';

// A job's results as a grid: filtered by top-1 label and probability range, ordered by image or confidence, paged
// by keyset ("Load more"); an image opens its detail; an uploaded image finds its nearest images.
export async function resultsPage({ main, params: [id], query, navigate }) {
  const order = el('select', { id: 'order', name: 'order' },
    [['image', 'Dataset order'], ['probability', 'Least confident first'], ['probability_desc', 'Most confident first']]
      .map(([value, text]) => el('option', { value, selected: (query.get('order') ?? 'image') === value }, text)));
  const label = el('input', { id: 'label', name: 'label', type: 'search', value: query.get('label') ?? '', list: 'labels', placeholder: 'any label' });
  const labels = el('datalist', { id: 'labels' });
  const min = el('input', { id: 'min', name: 'minProbability', type: 'number', min: 0, max: 1, step: 0.01, value: query.get('minProbability') ?? '', placeholder: '0' });
  const max = el('input', { id: 'max', name: 'maxProbability', type: 'number', min: 0, max: 1, step: 0.01, value: query.get('maxProbability') ?? '', placeholder: '1' });
  const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter results', onsubmit: event => { event.preventDefault(); apply(); } },
    el('div', { class: 'field' }, el('label', { for: 'label' }, 'Top-1 label'), label, labels),
    el('div', { class: 'field' }, el('label', { for: 'min' }, 'Probability from'), min),
    el('div', { class: 'field' }, el('label', { for: 'max' }, 'to'), max),
    el('div', { class: 'field' }, el('label', { for: 'order' }, 'Order'), order),
    el('button', { type: 'submit', class: 'primary' }, 'Apply'),
    el('button', { type: 'button', id: 'low-confidence', onclick: () => { max.value = '0.5'; min.value = ''; order.value = 'probability'; apply(); } }, 'Low confidence (< 50%)'),
    el('button', { type: 'button', class: 'link', onclick: () => navigate(`/ui/jobs/${id}/results`) }, 'Clear'));

  function apply() {
    const params = new URLSearchParams();
    if (order.value !== 'image') params.set('order', order.value);
    if (label.value.trim()) params.set('label', label.value.trim());
    if (min.value) params.set('minProbability', min.value);
    if (max.value) params.set('maxProbability', max.value);
    navigate(`/ui/jobs/${id}/results${params.size ? `?${params}` : ''}`);
  }

  const message = el('div', { 'aria-live': 'polite' });
  const status = el('p', { class: 'muted', id: 'grid-status', 'aria-live': 'polite' });
  const moreButton = el('button', { type: 'button', id: 'more', hidden: true }, 'Load more');
  const dialog = imageDialog(id);
  const wanted = {};
  for (const key of ['order', 'label', 'minProbability', 'maxProbability']) if (query.get(key)) wanted[key] = query.get(key);
  const grid = resultGrid(id, wanted, dialog.open, {
    onPage: (page, shown) => {
      for (const name of new Set(page.items.map(i => i.label).filter(Boolean))) {
        if (![...labels.options].some(o => o.value === name)) labels.append(el('option', { value: name }));
      }
      status.textContent = shown === 0 ? 'No results match.' : `${count(shown)} images shown${page.next ? '' : ' (all)'}.`;
    },
  });
  moreButton.addEventListener('click', () => load());

  const upload = el('input', { id: 'query-image', type: 'file', accept: 'image/*', required: true });
  const uploadResults = el('div', { id: 'upload-results', 'aria-live': 'polite' });
  const search = el('form', { class: 'filters', onsubmit: searchUpload },
    el('div', { class: 'field' }, el('label', { for: 'query-image' }, 'Find images like this one'), upload),
    el('button', { type: 'submit' }, 'Search'));

  main.append(
    el('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, el('a', { href: '/ui/', 'data-nav': true }, 'Jobs'), ' / ',
      el('a', { href: `/ui/jobs/${id}`, 'data-nav': true, class: 'mono' }, id.slice(-12)), ' / results'),
    el('h1', {}, 'Results'), filters, message, grid.list, status, moreButton,
    el('section', { class: 'card', 'aria-labelledby': 'similar-title' }, el('h2', { id: 'similar-title' }, 'Search by image'), search, uploadResults));

  async function load() {
    moreButton.disabled = true;
    try {
      moreButton.hidden = !(await grid.more());
    } catch (error) {
      showError(message, error);
    } finally {
      moreButton.disabled = false;
    }
  }

  async function searchUpload(event) {
    event.preventDefault();
    const form = new FormData();
    form.append('image', upload.files[0]);
    form.append('k', '12');
    clear(uploadResults).append(el('p', { class: 'muted' }, 'Searching…'));
    try {
      const result = await api(`${jobUrl(id)}/search`, { method: 'POST', form });
      clear(uploadResults).append(hitList(id, result.hits, dialog.open));
    } catch (error) {
      showError(uploadResults, error);
    }
  }

  await load();
  return () => dialog.remove();
}
