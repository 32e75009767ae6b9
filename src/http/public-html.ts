import type { PublicTicketView } from '../modules/tracker/index.js';

/** Text made safe for HTML content and attribute values. */
export const esc = (s: string | null | undefined) =>
  (s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem;font-weight:600}
input,textarea{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:4px}
textarea{min-height:10rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;border:0;border-radius:4px;background:#1f4fd1;color:#fff;cursor:pointer}
button:focus,input:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:1px}
.error{color:#b00020}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.comment{border-left:4px solid #ccc;padding:.25rem .75rem;margin:1rem 0}
.comment.mine{border-color:#1f4fd1}
.meta{color:#555;font-size:.875rem}`;

/** A whole page: no script, no third-party asset; the one style element carries the response's nonce. */
export function page(title: string, nonce: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface FormValues {
  name?: string;
  email?: string;
  title?: string;
  body?: string;
}

function field(
  name: keyof FormValues,
  label: string,
  values: FormValues,
  errors: Record<string, string>,
  opts: string,
) {
  const error = errors[name];
  const described = error ? ` aria-invalid="true" aria-describedby="${name}-error"` : '';
  const input =
    name === 'body'
      ? `<textarea id="${name}" name="${name}"${described} ${opts}>${esc(values[name])}</textarea>`
      : `<input id="${name}" name="${name}" value="${esc(values[name])}"${described} ${opts}>`;
  return `<label for="${name}">${label}</label>${input}${error ? `<p class="error" id="${name}-error">${esc(error)}</p>` : ''}`;
}

export function formPage(
  nonce: string,
  info: { boardName: string; intro: string | null },
  action: string,
  values: FormValues = {},
  errors: Record<string, string> = {},
): string {
  const summary = Object.keys(errors).length
    ? `<p class="error" role="alert">Please correct the fields marked below.</p>`
    : '';
  return page(
    `Contact ${info.boardName}`,
    nonce,
    `<h1>Contact ${esc(info.boardName)}</h1>${info.intro ? `<p>${esc(info.intro)}</p>` : ''}${summary}
<form method="post" action="${esc(action)}">
${field('name', 'Your name (optional)', values, errors, 'maxlength="100" autocomplete="name"')}
${field('email', 'Your email', values, errors, 'type="email" required autocomplete="email"')}
${field('title', 'Subject', values, errors, 'required maxlength="200"')}
${field('body', 'How can we help?', values, errors, 'required maxlength="20000"')}
<div class="hp" aria-hidden="true"><label for="website">Leave this empty</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send request</button>
</form>`,
  );
}

export function receivedPage(nonce: string, boardName: string, confirmationRequired: boolean): string {
  return page(
    'Request received',
    nonce,
    `<h1>Thank you</h1><p role="status">${
      confirmationRequired
        ? `We have sent you an email. Follow its link to confirm your request to ${esc(boardName)}.`
        : `Your request to ${esc(boardName)} was received. We have emailed you a link to follow it.`
    }</p>`,
  );
}

export function confirmPage(nonce: string, action: string): string {
  return page(
    'Confirm your request',
    nonce,
    `<h1>Confirm your request</h1><p>Confirm that you sent this request, to pass it on.</p>
<form method="post" action="${esc(action)}"><button type="submit">Confirm my request</button></form>`,
  );
}

const STATUS: Record<string, string> = {
  OPEN: 'Open',
  IN_PROGRESS: 'In progress',
  RESOLVED: 'Resolved',
  CLOSED: 'Closed',
};

export function ticketPage(nonce: string, view: PublicTicketView, action: string, error?: string): string {
  const comments = view.comments
    .map(
      (c) =>
        `<article class="comment${c.fromRequester ? ' mine' : ''}"><p class="meta">${esc(c.fromRequester ? 'You' : (c.authorName ?? 'Support'))} · <time datetime="${c.createdAt.toISOString()}">${c.createdAt.toUTCString()}</time></p><p>${esc(c.body).replace(/\n/g, '<br>')}</p></article>`,
    )
    .join('');
  return page(
    `${view.identifier}: ${view.title}`,
    nonce,
    `<h1>${esc(view.title)}</h1><p class="meta">${esc(view.identifier)} · Status: <strong>${STATUS[view.status]}</strong></p>
<section aria-label="Conversation">${comments || '<p>No answer yet.</p>'}</section>
<form method="post" action="${esc(action)}">
<label for="body">Reply</label><textarea id="body" name="body" required maxlength="20000"${error ? ' aria-invalid="true" aria-describedby="body-error"' : ''}></textarea>
${error ? `<p class="error" id="body-error">${esc(error)}</p>` : ''}<button type="submit">Send reply</button></form>`,
  );
}

export function messagePage(nonce: string, title: string, text: string): string {
  return page(title, nonce, `<h1>${esc(title)}</h1><p>${esc(text)}</p>`);
}
