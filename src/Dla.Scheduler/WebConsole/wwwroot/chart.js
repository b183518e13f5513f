// A throughput chart drawn as SVG by hand: images per second over the job's run, with labelled axes and a text
// summary for screen readers (no chart library: nothing to download).
const ns = 'http://www.w3.org/2000/svg';

function svg(tag, attributes, text) {
  const node = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function throughputChart(series) {
  const width = 640, height = 200, left = 48, right = 12, top = 12, bottom = 28;
  const values = series.images_per_second;
  const peak = Math.max(1, ...values);
  const average = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
  root.append(svg('title', { id: 'chart-title' }, 'Throughput over time'),
    svg('desc', { id: 'chart-desc' }, values.length
      ? `Images per second in ${values.length} steps of ${series.bucket_seconds} s: peak ${peak.toFixed(1)}, mean ${average.toFixed(1)}.`
      : 'No batch has completed yet.'));
  const x = i => left + (values.length <= 1 ? 0 : (i / (values.length - 1)) * (width - left - right));
  const y = v => top + (1 - v / peak) * (height - top - bottom);
  for (const fraction of [0, 0.5, 1]) {
    const v = peak * fraction;
    root.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, v.toFixed(v < 10 ? 1 : 0)));
  }
  const totalSeconds = values.length * series.bucket_seconds;
  root.append(svg('text', { x: left, y: height - 8, class: 'axis' }, '0 s'),
    svg('text', { x: width - right, y: height - 8, 'text-anchor': 'end', class: 'axis' }, `${totalSeconds} s`),
    svg('text', { x: (left + width) / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis' }, 'images/s over the run'));
  if (values.length) {
    const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    root.append(svg('polygon', { points: `${x(0)},${y(0)} ${points.join(' ')} ${x(values.length - 1)},${y(0)}`, class: 'area' }),
      svg('polyline', { points: points.join(' '), class: 'line' }));
  }
  return root;
}
