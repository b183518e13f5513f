// The console's router: one shell (index.html), one module per page; addresses are real (/ui/jobs/<id>), so
// links can be shared and reloaded. Each page returns a cleanup function that stops its timers and streams.
import { api } from './api.js';
import { el, clear } from './dom.js';
import { jobsPage } from './pages/jobs.js';
import { jobPage } from './pages/job.js';
import { resultsPage } from './pages/results.js';
import { submitPage } from './pages/submit.js';
import { loginPage } from './pages/login.js';

const main = document.getElementById('main');
const who = document.getElementById('who');
let session = null;
let cleanup = null;

const routes = [
  [/^\/ui\/?$/, () => jobsPage],
  [/^\/ui\/submit$/, () => submitPage],
  [/^\/ui\/login$/, () => loginPage],
  [/^\/ui\/jobs\/([0-9a-f-]{36})$/i, () => jobPage],
  [/^\/ui\/jobs\/([0-9a-f-]{36})\/results$/i, () => resultsPage],
];

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  render();
}

async function loadSession() {
  session = await api('/ui/session');
  clear(who);
  if (session.signed_in && session.key_required) {
    who.append(el('span', {}, session.tenant ? `Tenant ${session.tenant}` : 'Administrator'), ' ',
      el('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'));
  }
  return session;
}

async function signOut() {
  await api('/ui/session', { method: 'DELETE' });
  await loadSession();
  navigate('/ui/login');
}

async function render() {
  cleanup?.();
  cleanup = null;
  const path = location.pathname;
  if (!session) await loadSession();
  if (session.key_required && !session.signed_in && path !== '/ui/login') {
    navigate(`/ui/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    return;
  }
  for (const link of document.querySelectorAll('nav a')) {
    const current = link.getAttribute('href') === path || (link.getAttribute('href') === '/ui/' && path.startsWith('/ui/jobs'));
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  clear(main);
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) {
    main.append(el('h1', {}, 'Not found'), el('p', {}, el('a', { href: '/ui/', 'data-nav': true }, 'Back to the jobs')));
    return;
  }
  const [, ...groups] = path.match(route[0]);
  const context = { main, params: groups, query: new URLSearchParams(location.search), navigate, session, onSignedIn: loadSession };
  cleanup = await route[1]()(context) ?? null;
  // Move focus to the new page for keyboard and screen reader users, as a full page load would.
  main.focus({ preventScroll: true });
}

// In-page navigation for links marked data-nav (and any same-origin /ui/ link without a modifier key).
document.addEventListener('click', event => {
  const link = event.target.closest('a');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/ui/') || link.hasAttribute('download')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', render);
window.addEventListener('dla:signin', async () => {
  await loadSession();
  if (location.pathname !== '/ui/login') navigate(`/ui/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
});

render();
