import { api, jobUrl } from '../api.js';
import { el, clear, count, duration, rate, time, stateBadge, progressBar, showError, isFinal } from '../dom.js';
import { throughputChart } from '../chart.js';
import { resultGrid, imageDialog } from '../grid.js';

// One job: live progress (the API's server-sent events), throughput, errors by kind, batches, provenance,
// actions, and the first page of its results.
export async function jobPage({ main, params: [id], navigate }) {
  const message = el('div', { 'aria-live': 'polite' });
  let job;
  try {
    job = await api(jobUrl(id));
  } catch (error) {
    main.append(el('h1', {}, 'Job'), message);
    showError(message, error);
    return;
  }
  const heading = el('h1', {}, 'Job ', el('span', { class: 'mono' }, id.slice(-12)), ' ', el('span', { id: 'job-state' }, stateBadge(job.state)));
  const progressArea = el('div', { class: 'progress-area' });
  const counts = el('dl', { class: 'counts', id: 'counts' });
  const chartArea = el('div', { class: 'chart-area' });
  const batches = el('dl', { class: 'counts small', id: 'batches' });
  const errors = el('div', { id: 'errors' });
  const actions = el('div', { class: 'actions', id: 'actions' });
  const failure = el('div', { id: 'failure' });
  const settings = el('div', {}, provenance(job));
  const dialog = imageDialog(id);
  const gridArea = el('div', { id: 'first-results' });
  const gridStatus = el('p', { class: 'muted' });

  main.append(heading, message, failure,
    el('section', { class: 'card', 'aria-labelledby': 'progress-title' }, el('h2', { id: 'progress-title' }, 'Progress'), progressArea, counts),
    el('section', { class: 'card', 'aria-labelledby': 'actions-title' }, el('h2', { id: 'actions-title' }, 'Actions'), actions),
    el('div', { class: 'two' },
      el('section', { class: 'card', 'aria-labelledby': 'throughput-title' }, el('h2', { id: 'throughput-title' }, 'Throughput'), chartArea),
      el('section', { class: 'card', 'aria-labelledby': 'batches-title' }, el('h2', { id: 'batches-title' }, 'Batches'), batches)),
    el('section', { class: 'card', 'aria-labelledby': 'errors-title' }, el('h2', { id: 'errors-title' }, 'Errors by kind'), errors),
    el('section', { class: 'card', 'aria-labelledby': 'provenance-title' }, el('h2', { id: 'provenance-title' }, 'Provenance and settings'), settings),
    el('section', { 'aria-labelledby': 'results-title' },
      el('div', { class: 'title-row' }, el('h2', { id: 'results-title' }, 'Results'),
        el('a', { class: 'button', href: `/ui/jobs/${id}/results`, 'data-nav': true }, 'Browse and filter all results')),
      gridArea, gridStatus));

  // The first page of results; loaded again when the job finishes (it may have had none when the page opened).
  function loadGrid() {
    const grid = resultGrid(id, {}, dialog.open, { limit: 24 });
    clear(gridArea).append(grid.list);
    grid.more().then(hasMore => { gridStatus.textContent = grid.list.children.length === 0 ? 'No results yet.' : hasMore ? 'First results shown.' : ''; })
      .catch(error => showError(gridStatus, error));
  }

  function showProgress(p) {
    clear(progressArea).append(progressBar(p, 'Job progress'));
    clear(counts).append(...[
      ['Succeeded', count(p.succeeded)], ['Failed', count(p.failed)], ['Remaining', count(p.remaining)],
      ['Total', `${count(p.total)}${p.total_final ? '' : ' (listing…)'}`], ['Images/s', rate(p.images_per_second)], ['ETA', duration(p.eta_seconds)],
    ].flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-count': k.toLowerCase() }, v)]));
    if (p.state !== job.state) setState(p.state);
    clear(failure);
    if (p.failure_reason) failure.append(el('p', { class: 'error', role: 'alert' }, `Failed: ${p.failure_reason}`));
  }

  function setState(state) {
    job.state = state;
    clear(document.getElementById('job-state')).append(stateBadge(state));
    drawActions();
  }

  async function refreshDetails() {
    try {
      const [throughput, batchCounts, errorKinds] = await Promise.all([
        api(`${jobUrl(id)}/throughput`), api(`${jobUrl(id)}/batches`), api(`${jobUrl(id)}/errors`)]);
      clear(chartArea).append(throughputChart(throughput));
      clear(batches).append(...Object.entries(batchCounts).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, count(v))]));
      clear(errors).append(errorKinds.length === 0 ? el('p', { class: 'muted' }, 'No failed images.') : errorTable(errorKinds));
    } catch (error) {
      showError(message, error);
    }
  }

  function errorTable(kinds) {
    return el('table', { class: 'errors' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Kind'), el('th', { scope: 'col' }, 'Images'), el('th', { scope: 'col' }, 'Examples'))),
      el('tbody', {}, kinds.map(k => el('tr', { 'data-kind': k.kind },
        el('td', {}, el('code', {}, k.kind)), el('td', { class: 'num' }, count(k.count)),
        el('td', {}, el('ul', { class: 'examples' }, k.examples.map(e => el('li', {}, el('span', { class: 'mono' }, e.path), ' — ', el('span', { class: 'muted' }, e.message)))))))));
  }

  function drawActions() {
    const running = !isFinal(job.state);
    // Drawn again on every state change (pending → running arrives while one types): what was typed or chosen stays.
    const typed = document.getElementById('priority')?.value;
    const chosen = document.getElementById('export-format')?.value ?? 'parquet';
    const priority = el('input', { id: 'priority', type: 'number', min: 1, max: 100, value: typed ?? job.priority, inputmode: 'numeric', 'aria-describedby': 'priority-help' });
    const format = el('select', { id: 'export-format' }, ['parquet', 'csv', 'jsonl'].map(f => el('option', { value: f, selected: f === chosen }, f)));
    const download = el('a', { class: 'button', id: 'export' }, 'Download');
    const exportAs = f => {
      download.href = `${jobUrl(id)}/export?format=${f}`;
      download.download = `${id}.${f}`;
    };
    exportAs(chosen);
    format.addEventListener('change', () => exportAs(format.value));
    clear(actions).append(
      el('div', { class: 'action-row' },
        el('button', { type: 'button', class: 'danger', id: 'cancel', disabled: !running, onclick: () => act('cancel', () => api(`${jobUrl(id)}/cancel`, { method: 'POST' })) }, 'Cancel job'),
        el('button', { type: 'button', id: 'retry', onclick: () => act('retry', async () => {
          const outcome = await api(`${jobUrl(id)}/retry-failed`, { method: 'POST' });
          return `Re-planned ${outcome.batches} failed batches and ${outcome.images} images.`;
        }) }, 'Retry failed'),
        el('button', { type: 'button', class: 'danger', id: 'delete', onclick: deleteJob }, 'Delete job')),
      el('form', { class: 'action-row', onsubmit: event => { event.preventDefault(); act('priority', () => api(`${jobUrl(id)}/priority`, { method: 'PUT', json: { priority: Number(priority.value) } })); } },
        el('label', { for: 'priority' }, 'Priority'), priority,
        el('button', { type: 'submit', disabled: !running }, 'Set priority'),
        el('span', { id: 'priority-help', class: 'help' }, '1–100: the job\'s weight in the fair share of the workers.')),
      el('div', { class: 'action-row' }, el('label', { for: 'export-format' }, 'Export'), format, download));
  }

  // DELETE /jobs/{id} cancels a running job first, then removes its manifest, results, errors and index.
  async function deleteJob() {
    if (!confirm(`Delete job ${id}? Its results, errors and manifest are removed for good; a running job is cancelled first.`)) return;
    clear(message);
    try {
      await api(jobUrl(id), { method: 'DELETE' });
      events?.close();
      navigate(`/ui/?deleted=${encodeURIComponent(id)}`);
    } catch (error) {
      showError(message, error);
    }
  }

  async function act(name, call) {
    clear(message);
    try {
      const result = await call();
      message.append(el('p', { class: 'ok', role: 'status' }, typeof result === 'string' ? result : `Done: ${name}.`));
      if (result?.state) {
        job = { ...job, ...result };
        setState(result.state);
      } else {
        drawActions();
      }
      if (!events && !isFinal(job.state)) follow();
    } catch (error) {
      showError(message, error);
    }
  }

  let events = null;
  let detailsTimer = null;
  function follow() {
    events = new EventSource(`${jobUrl(id)}/events`);
    events.addEventListener('progress', event => {
      const p = JSON.parse(event.data);
      showProgress(p);
      if (isFinal(p.state)) {
        // The server ends the stream after the final report; closing first keeps the browser from reconnecting.
        events.close();
        events = null;
        clearInterval(detailsTimer);
        refreshDetails();
        api(jobUrl(id)).then(final => clear(settings).append(provenance(final))).catch(error => showError(message, error));
        loadGrid();
      }
    });
  }

  drawActions();
  showProgress(job.progress);
  await refreshDetails();
  if (!isFinal(job.state)) {
    follow();
    detailsTimer = setInterval(() => { if (!document.hidden) refreshDetails(); }, 3000);
  }
  loadGrid();
  return () => { events?.close(); clearInterval(detailsTimer); dialog.remove(); };
}

function provenance(job) {
  const rows = [
    ['Dataset', job.dataset], ['Model', job.model], ['Weights', job.weights ?? 'timm pretrained'], ['Weights SHA-256', job.weights_sha256 ?? '—'],
    ['Dla version', job.dla_version ?? '—'], ['Tasks', job.tasks.join(', ')], ['Top-k', job.top_k], ['Batch size', job.batch_size],
    ['Decode', job.decode], ['Precision', job.precision], ['Embedding storage', job.embedding_precision], ['Failure thresholds', `${job.max_failed_images ?? '—'} images, ${job.max_failed_percent ?? '—'}%`],
    ['Tenant', job.tenant ?? '—'], ['Created', time(job.created_at)], ['Started', time(job.started_at)], ['Finished', time(job.finished_at)],
  ];
  return el('dl', { class: 'kv' }, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: k.startsWith('Weights') ? 'mono wrap' : 'wrap' }, v)]));
}
