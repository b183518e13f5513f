import { api } from '../api.js';
import { el, clear, count, duration, rate, time, stateBadge, progressBar, showError } from '../dom.js';

const states = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
const pageSize = 25;

// Every job the caller may see, newest first, refreshed every few seconds while the tab is visible.
export async function jobsPage({ main, query, navigate }) {
  let page = Number(query.get('page')) || 1;
  const state = el('select', { id: 'filter-state', name: 'state' },
    el('option', { value: '' }, 'Any state'), states.map(s => el('option', { value: s, selected: query.get('state') === s }, s)));
  const model = el('input', { id: 'filter-model', name: 'model', type: 'search', list: 'models', value: query.get('model') ?? '', placeholder: 'any model' });
  const models = el('datalist', { id: 'models' });
  const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter jobs', onsubmit: event => { event.preventDefault(); apply(1); } },
    el('div', { class: 'field' }, el('label', { for: 'filter-state' }, 'State'), state),
    el('div', { class: 'field' }, el('label', { for: 'filter-model' }, 'Model'), model, models),
    el('button', { type: 'submit' }, 'Filter'));
  state.addEventListener('change', () => apply(1));
  const message = el('div', { 'aria-live': 'polite' });
  const deleted = query.get('deleted');
  const notice = deleted ? el('p', { class: 'ok', role: 'status', id: 'deleted' }, 'Deleted job ', el('span', { class: 'mono' }, deleted), '.') : '';
  const body = el('tbody');
  const table = el('table', { class: 'jobs' },
    el('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
    el('thead', {}, el('tr', {}, ['Job', 'State', 'Progress', 'Images/s', 'ETA', 'Model', 'Created', 'Priority', 'Tenant'].map(h => el('th', { scope: 'col' }, h)))),
    body);
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages of jobs' });
  main.append(el('div', { class: 'title-row' }, el('h1', {}, 'Jobs'), el('a', { class: 'button primary', href: '/ui/submit', 'data-nav': true }, 'Submit a job')),
    notice, filters, message, el('div', { class: 'table-wrap' }, table), pager);

  function apply(toPage) {
    page = toPage;
    const params = new URLSearchParams();
    if (state.value) params.set('state', state.value);
    if (model.value.trim()) params.set('model', model.value.trim());
    if (page > 1) params.set('page', page);
    navigate(`/ui/${params.size ? `?${params}` : ''}`, { replace: true });
  }

  async function refresh() {
    const params = new URLSearchParams({ page, pageSize, progress: 'true' });
    if (state.value) params.set('state', state.value);
    if (model.value.trim()) params.set('model', model.value.trim());
    try {
      const result = await api(`/jobs?${params}`);
      clear(message);
      draw(result);
    } catch (error) {
      showError(message, error);
    }
  }

  function draw(result) {
    clear(body);
    if (result.jobs.length === 0) {
      body.append(el('tr', {}, el('td', { colspan: 9, class: 'muted' }, 'No jobs yet.', ' ', el('a', { href: '/ui/submit', 'data-nav': true }, 'Submit one'))));
    }
    for (const job of result.jobs) {
      const p = job.progress;
      body.append(el('tr', { 'data-job': job.id },
        el('td', { 'data-label': 'Job' }, el('a', { href: `/ui/jobs/${job.id}`, 'data-nav': true, class: 'mono', title: job.id }, job.id.slice(-12)), el('div', { class: 'muted small' }, job.dataset)),
        el('td', { 'data-label': 'State' }, stateBadge(job.state)),
        el('td', { 'data-label': 'Progress' }, progressBar(p, `Progress of job ${job.id.slice(-12)}`)),
        el('td', { 'data-label': 'Images/s', class: 'num' }, rate(p?.images_per_second)),
        el('td', { 'data-label': 'ETA', class: 'num' }, duration(p?.eta_seconds)),
        el('td', { 'data-label': 'Model', class: 'model' }, job.model),
        el('td', { 'data-label': 'Created' }, time(job.created_at)),
        el('td', { 'data-label': 'Priority', class: 'num' }, job.priority),
        el('td', { 'data-label': 'Tenant' }, job.tenant ?? '—')));
    }
    for (const name of new Set(result.jobs.map(j => j.model))) {
      if (![...models.options].some(o => o.value === name)) models.append(el('option', { value: name }));
    }
    const pages = Math.max(1, Math.ceil(result.total / pageSize));
    clear(pager).append(
      el('button', { type: 'button', disabled: page <= 1, onclick: () => apply(page - 1) }, 'Newer'),
      el('span', {}, `Page ${page} of ${pages} · ${count(result.total)} jobs`),
      el('button', { type: 'button', disabled: page >= pages, onclick: () => apply(page + 1) }, 'Older'));
  }

  await refresh();
  const timer = setInterval(() => { if (!document.hidden) refresh(); }, 3000);
  return () => clearInterval(timer);
}
