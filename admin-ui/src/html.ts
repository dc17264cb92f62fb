import type { Element } from '@starling/sdk';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string, user?: { jid: string; csrf: string }): string {
  const bar = user
    ? `<nav><a href="/admin/">Components</a> <a href="/admin/plugins">Plugins</a> <a href="/admin/scripts">Scripts</a> <span>${esc(user.jid)}</span> <form method="post" action="/admin/logout" class="inline"><input type="hidden" name="__csrf" value="${esc(user.csrf)}"><button type="submit">Log out</button></form></nav>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - Starling admin</title><style>
body{font-family:system-ui,sans-serif;margin:0;color:#222}nav{background:#234;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center}nav a{color:#fff}
main{padding:1em 2em;max-width:60em}.inline{display:inline;margin-left:auto}label{display:block;margin:.6em 0 .2em;font-weight:600}
input[type=text],input[type=password],textarea,select{width:28em;max-width:100%;padding:.3em}.error{color:#a00;font-weight:600}.note{background:#eef;padding:.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}button{margin:.8em .4em 0 0;padding:.4em 1em}
td.actions form{display:inline}td.actions button{margin:0 .3em 0 0;padding:.2em .6em}</style></head>
<body>${bar}<main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

const NS_DATA = 'jabber:x:data';

/**
 * Any XEP-0004 form as HTML inputs named by field var (form) or as read-only rows (result); `actions` adds
 * a column of buttons to its reported table.
 */
export function renderForm(x: Element | undefined, editable: boolean, actions?: (row: Map<string, string>) => string): string {
  if (!x) return '';
  const out: string[] = [];
  const title = x.getChildText('title');
  if (title) out.push(`<h2>${esc(title)}</h2>`);
  for (const ins of x.getChildren('instructions')) out.push(`<p>${esc(ins.text())}</p>`);
  for (const f of x.getChildren('field')) out.push(editable ? field(f) : resultField(f));
  const table = readTable(x);
  if (table) out.push(renderTable(table, actions));
  return out.join('\n');
}

/** A form's reported table (XEP-0004 §3.4): its columns, and each item's values by column var. */
export interface FormTable {
  columns: { var: string; label: string }[];
  rows: Map<string, string>[];
}

export function readTable(x: Element | undefined): FormTable | undefined {
  const reported = x?.getChild('reported');
  if (!x || !reported) return undefined;
  return {
    columns: reported.getChildren('field').map((f) => ({ var: f.attrs.var ?? '', label: f.attrs.label ?? f.attrs.var ?? '' })),
    rows: x.getChildren('item').map((item) => new Map(item.getChildren('field').map((f) => [f.attrs.var ?? '', values(f).join(', ')]))),
  };
}

/** The table; `actions`, when given, adds a last column of HTML per row (buttons made by the caller, already escaped). */
export function renderTable(t: FormTable, actions?: (row: Map<string, string>) => string): string {
  const head = t.columns.map((c) => `<th>${esc(c.label)}</th>`).join('') + (actions ? '<th></th>' : '');
  const rows = t.rows.map((r) => `<tr>${t.columns.map((c) => `<td>${esc(r.get(c.var) ?? '')}</td>`).join('')}${actions ? `<td class="actions">${actions(r)}</td>` : ''}</tr>`);
  return `<table><tr>${head}</tr>\n${rows.join('\n')}</table>`;
}

function values(f: Element): string[] {
  return f.getChildren('value').map((v) => v.text());
}

function resultField(f: Element): string {
  const label = f.attrs.label ?? f.attrs.var ?? '';
  const v = values(f);
  if (f.attrs.type === 'hidden') return '';
  const cls = f.attrs.var === 'Note' ? ' class="note"' : f.attrs.var === 'Warning' || f.attrs.var === 'Error message' ? ' class="error"' : '';
  return `<div${cls} data-var="${esc(f.attrs.var ?? '')}"><strong>${esc(label)}</strong>: ${v.map((x) => esc(x)).join('<br>')}</div>`;
}

function field(f: Element): string {
  const name = f.attrs.var ?? '';
  const type = f.attrs.type ?? 'text-single';
  const label = esc(f.attrs.label ?? name);
  const v = values(f);
  const n = esc(name);
  const req = f.getChild('required') ? ' required' : '';
  const opts = (selected: string[]) =>
    f
      .getChildren('option')
      .map((o) => {
        const val = o.getChildText('value') ?? '';
        return `<option value="${esc(val)}"${selected.includes(val) ? ' selected' : ''}>${esc(o.attrs.label ?? val)}</option>`;
      })
      .join('');
  switch (type) {
    case 'hidden':
      return v.map((x) => `<input type="hidden" name="${n}" value="${esc(x)}">`).join('') || `<input type="hidden" name="${n}" value="">`;
    case 'fixed':
      return `<p>${v.map(esc).join('<br>')}</p>`;
    case 'boolean': {
      const on = v[0] === '1' || v[0] === 'true';
      return `<label for="f-${n}">${label}</label><select id="f-${n}" name="${n}"><option value="true"${on ? ' selected' : ''}>Yes</option><option value="false"${on ? '' : ' selected'}>No</option></select>`;
    }
    case 'text-private':
      return `<label for="f-${n}">${label}</label><input id="f-${n}" type="password" name="${n}" value="${esc(v[0] ?? '')}"${req}>`;
    case 'text-multi':
    case 'jid-multi':
      return `<label for="f-${n}">${label}</label><textarea id="f-${n}" name="${n}" rows="4" data-multi="1"${req}>${esc(v.join('\n'))}</textarea>`;
    case 'list-single':
      return `<label for="f-${n}">${label}</label><select id="f-${n}" name="${n}"${req}>${opts(v)}</select>`;
    case 'list-multi':
      return `<label for="f-${n}">${label}</label><select id="f-${n}" name="${n}" multiple${req}>${opts(v)}</select>`;
    default:
      return `<label for="f-${n}">${label}</label><input id="f-${n}" type="text" name="${n}" value="${esc(v[0] ?? '')}"${req}>`;
  }
}

export { NS_DATA };
