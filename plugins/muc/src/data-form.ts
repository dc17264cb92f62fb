import { type Element, NS_DATA_FORMS, xml } from '@starling/sdk';

/** One XEP-0004 field as the room builds it. */
export interface Field {
  var: string;
  type?: 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single' | 'list-multi' | 'list-single' | 'text-multi' | 'text-private' | 'text-single';
  label?: string;
  values?: string[];
  options?: string[];
  required?: boolean;
}

/** `<x xmlns='jabber:x:data'/>` with a FORM_TYPE and the fields. */
export function form(type: 'form' | 'result' | 'submit', formType: string, fields: Field[], title?: string, instructions?: string): Element {
  return xml(
    'x',
    { xmlns: NS_DATA_FORMS, type },
    title !== undefined ? xml('title', {}, title) : undefined,
    instructions !== undefined ? xml('instructions', {}, instructions) : undefined,
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, formType)),
    fields.map((f) =>
      xml(
        'field',
        { var: f.var, type: f.type, label: f.label },
        f.required ? xml('required') : undefined,
        (f.values ?? []).map((v) => xml('value', {}, v)),
        (f.options ?? []).map((o) => xml('option', { label: o }, xml('value', {}, o))),
      ),
    ),
  );
}

/** A submitted form's values by field var (FORM_TYPE included). */
export function submittedValues(x: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of x.getChildren('field')) {
    const name = f.attrs.var;
    if (name) out.set(name, f.getChildren('value').map((v) => v.text()));
  }
  return out;
}

/** XEP-0004 booleans: `1`/`true` and `0`/`false`; undefined when absent or anything else. */
export function parseBoolean(v: string | undefined): boolean | undefined {
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return undefined;
}
