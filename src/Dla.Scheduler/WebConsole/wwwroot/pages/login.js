import { api, ApiError } from '../api.js';
import { el } from '../dom.js';

// The sign-in form: the key goes to the server once and comes back as an HttpOnly cookie script never sees.
export async function loginPage({ main, query, navigate, onSignedIn, session }) {
  const next = query.get('next');
  const target = next && next.startsWith('/ui/') ? next : '/ui/';
  if (!session.key_required) {
    main.append(el('h1', {}, 'Sign in'), el('p', {}, 'This scheduler has no API keys configured: the console is open. ', el('a', { href: '/ui/', 'data-nav': true }, 'Go to the jobs')));
    return;
  }
  const message = el('div', { id: 'login-error', 'aria-live': 'assertive' });
  const key = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'key-help login-error' });
  const form = el('form', { class: 'card narrow', onsubmit: submit },
    el('div', { class: 'field' },
      el('label', { for: 'key' }, 'API key'),
      key,
      el('p', { id: 'key-help', class: 'help' }, 'An administrator key (Api:Keys) or your team\'s key (Api:Tenants:<name>:Keys).')),
    message,
    el('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  main.append(el('h1', {}, 'Sign in'), form);
  key.focus();

  async function submit(event) {
    event.preventDefault();
    message.replaceChildren();
    key.removeAttribute('aria-invalid');
    try {
      await api('/ui/session', { method: 'POST', json: { key: key.value } });
      await onSignedIn();
      navigate(target, { replace: true });
    } catch (error) {
      key.setAttribute('aria-invalid', 'true');
      message.append(el('p', { class: 'error', role: 'alert' }, error instanceof ApiError && error.status === 401 ? 'That key is not valid.' : error.message));
      key.select();
    }
  }
}
