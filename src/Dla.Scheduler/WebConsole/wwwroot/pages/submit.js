import { api, ApiError } from '../api.js';
import { el } from '../dom.js';

// The submission form: every field of POST /jobs; the API's validation errors appear beside the field they name.
const fields = [
  { name: 'dataset', label: 'Dataset', help: 'A folder under Datasets:AllowedRoots, or azure://container/prefix.', required: true },
  { name: 'model', label: 'Model', value: 'dla34', help: 'A timm variant (dla34, dla46_c, …), architecture JSON or a .json/.onnx file.', required: true },
  { name: 'weights', label: 'Weights', help: 'Empty for timm\'s pretrained weights; a safetensors path, hf:REPO[@REVISION] or random.' },
  { name: 'top_k', label: 'Top-k', type: 'number', value: 5, min: 1, max: 1000 },
  { name: 'batch_size', label: 'Batch size', type: 'number', value: 32, min: 1, max: 1024 },
  { name: 'priority', label: 'Priority', type: 'number', value: 10, min: 1, max: 100, help: 'The job\'s weight in the fair share (1–100).' },
  { name: 'max_failed_images', label: 'Fail after this many failed images', type: 'number', min: 0, help: 'Empty: no limit.' },
  { name: 'max_failed_percent', label: 'Fail after this percentage failed', type: 'number', min: 0, max: 100, step: 0.1, help: 'Empty: no limit.' },
];

export async function submitPage({ main, navigate }) {
  const formError = el('div', { id: 'form-error', 'aria-live': 'assertive' });
  const inputs = {};
  const field = f => {
    const input = el('input', { id: f.name, name: f.name, type: f.type ?? 'text', value: f.value, min: f.min, max: f.max, step: f.step, required: f.required,
      'aria-describedby': `${f.name}-help ${f.name}-error`, autocomplete: 'off' });
    inputs[f.name] = input;
    return el('div', { class: 'field' }, el('label', { for: f.name }, f.label, f.required ? el('span', { 'aria-hidden': 'true' }, ' *') : null), input,
      el('p', { id: `${f.name}-help`, class: 'help' }, f.help ?? ''), el('p', { id: `${f.name}-error`, class: 'field-error' }));
  };
  const classify = el('input', { id: 'task-classify', type: 'checkbox', name: 'tasks', value: 'classify', checked: true });
  const embed = el('input', { id: 'task-embed', type: 'checkbox', name: 'tasks', value: 'embed', checked: true });
  const decode = el('select', { id: 'decode', name: 'decode', 'aria-describedby': 'decode-help decode-error' },
    el('option', { value: 'exact' }, 'exact (timm-identical)'), el('option', { value: 'fast' }, 'fast (DCT-domain JPEG downscaling)'));
  const precision = el('select', { id: 'precision', name: 'precision', 'aria-describedby': 'precision-error' }, el('option', { value: 'fp32' }, 'fp32'), el('option', { value: 'fp16' }, 'fp16'));
  const embeddingPrecision = el('select', { id: 'embedding_precision', name: 'embedding_precision', 'aria-describedby': 'embedding_precision-help embedding_precision-error' },
    el('option', { value: 'fp32' }, 'fp32 (vector)'), el('option', { value: 'fp16' }, 'fp16 (halfvec, half the storage)'));
  const form = el('form', { class: 'card form', novalidate: true, onsubmit: submit },
    fields.slice(0, 3).map(field),
    el('fieldset', { class: 'field', 'aria-describedby': 'tasks-error' }, el('legend', {}, 'Tasks'),
      el('label', { class: 'inline' }, classify, ' classify (top-k labels)'), el('label', { class: 'inline' }, embed, ' embed (embeddings, for similarity search)'),
      el('p', { id: 'tasks-error', class: 'field-error' })),
    el('div', { class: 'row' }, fields.slice(3, 6).map(field)),
    el('div', { class: 'row' },
      el('div', { class: 'field' }, el('label', { for: 'decode' }, 'Decode mode'), decode, el('p', { id: 'decode-help', class: 'help' }, 'fast is quicker on large JPEGs, with a small measured drift.'), el('p', { id: 'decode-error', class: 'field-error' })),
      el('div', { class: 'field' }, el('label', { for: 'precision' }, 'Precision'), precision, el('p', { id: 'precision-error', class: 'field-error' })),
      el('div', { class: 'field' }, el('label', { for: 'embedding_precision' }, 'Embedding storage'), embeddingPrecision,
        el('p', { id: 'embedding_precision-help', class: 'help' }, 'fp16 halves each row; exports still give float32.'), el('p', { id: 'embedding_precision-error', class: 'field-error' }))),
    el('div', { class: 'row' }, fields.slice(6).map(field)),
    formError,
    el('button', { type: 'submit', class: 'primary' }, 'Submit job'));
  main.append(el('h1', {}, 'Submit a job'), form);
  inputs.dataset.focus();

  async function submit(event) {
    event.preventDefault();
    for (const node of form.querySelectorAll('.field-error')) node.textContent = '';
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
    formError.replaceChildren();
    const number = name => inputs[name].value === '' ? undefined : Number(inputs[name].value);
    const body = {
      dataset: inputs.dataset.value.trim(), model: inputs.model.value.trim(), weights: inputs.weights.value.trim() || undefined,
      tasks: [classify, embed].filter(c => c.checked).map(c => c.value),
      top_k: number('top_k'), batch_size: number('batch_size'), priority: number('priority'),
      max_failed_images: number('max_failed_images'), max_failed_percent: number('max_failed_percent'),
      decode: decode.value, precision: precision.value, embedding_precision: embeddingPrecision.value,
    };
    try {
      const job = await api('/jobs', { method: 'POST', json: body });
      navigate(`/ui/jobs/${job.id}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 400) {
        formError.append(el('p', { class: 'error', role: 'alert' }, error.message));
        return;
      }
      let first = null;
      const unplaced = [];
      for (const [name, messages] of Object.entries(error.fields)) {
        const target = document.getElementById(`${name}-error`);
        if (!target) { unplaced.push(`${name}: ${messages.join(' ')}`); continue; }
        target.textContent = messages.join(' ');
        const control = inputs[name] ?? ({ decode, precision, embedding_precision: embeddingPrecision, tasks: classify }[name] ?? null);
        control?.setAttribute('aria-invalid', 'true');
        first ??= control;
      }
      formError.append(el('p', { class: 'error', role: 'alert' }, unplaced.length ? `${error.message} ${unplaced.join(' ')}` : 'Please correct the fields marked below.'));
      first?.focus();
    }
  }
}
