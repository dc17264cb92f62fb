import { type Element, NS_DATA_FORMS, xml } from '@starling/sdk';

/** One XEP-0004 field, as the server builds it. */
export interface FormField {
  var: string;
  type?: 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single' | 'list-multi' | 'list-single' | 'text-multi' | 'text-private' | 'text-single';
  label?: string;
  values?: string[];
  options?: { label?: string; value: string }[];
  required?: boolean;
}

export interface FormSpec {
  title?: string;
  instructions?: string;
  fields: FormField[];
  /** A table (XEP-0004 §3.4): its columns, then one item per row with a value for each column var. */
  table?: { columns: { var: string; label: string }[]; rows: Record<string, string>[] };
}

/** `<x xmlns='jabber:x:data' type=…>` with title, instructions and fields in XEP-0004 order. */
export function dataForm(type: 'form' | 'result' | 'submit' | 'cancel', spec: FormSpec): Element {
  return xml(
    'x',
    { xmlns: NS_DATA_FORMS, type },
    spec.title !== undefined ? xml('title', {}, spec.title) : undefined,
    spec.instructions !== undefined ? xml('instructions', {}, spec.instructions) : undefined,
    spec.fields.map((f) =>
      xml(
        'field',
        { var: f.var, type: f.type, label: f.label },
        f.required ? xml('required') : undefined,
        (f.values ?? []).map((v) => xml('value', {}, v)),
        (f.options ?? []).map((o) => xml('option', { label: o.label }, xml('value', {}, o.value))),
      ),
    ),
    spec.table && xml('reported', {}, spec.table.columns.map((c) => xml('field', { var: c.var, label: c.label }))),
    spec.table?.rows.map((row) => xml('item', {}, spec.table!.columns.map((c) => xml('field', { var: c.var }, xml('value', {}, row[c.var] ?? ''))))),
  );
}

/** The values of the data form inside a <command/> (or an <x/> itself), by field var. */
export function formValues(el: Element | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const x = el?.is('x', NS_DATA_FORMS) ? el : el?.getChild('x', NS_DATA_FORMS);
  if (!x) return out;
  for (const f of x.getChildren('field')) {
    const name = f.attrs.var;
    if (name === undefined) continue;
    out.set(
      name,
      f.getChildren('value').map((v) => v.text()),
    );
  }
  return out;
}

/** The first value of a field, or undefined when the field is absent or has no value. */
export function firstValue(values: Map<string, string[]>, name: string): string | undefined {
  return values.get(name)?.[0];
}

/** XEP-0004 boolean: "1" or "true". */
export function booleanValue(values: Map<string, string[]>, name: string, def: boolean): boolean {
  const v = firstValue(values, name);
  if (v === undefined) return def;
  return v === '1' || v === 'true';
}
