/**
 * The `AS:` markers of an admin script (Tigase's script header): `AS:Description:`, `AS:CommandId:`,
 * `AS:Component:` (comma list), `AS:Group:`, `AS:ComponentClass:`. A marker may sit anywhere on a line (after
 * a comment mark); the rest of the line, trimmed (and without a closing `*\/`), is the value; the first
 * occurrence of each marker wins.
 */
export interface ScriptHeader {
  description?: string;
  commandId?: string;
  components?: string[];
  group?: string;
  componentClasses?: string[];
}

const MARKER = /AS:(Description|CommandId|Component|Group|ComponentClass):(.*)$/;

export function readHeader(text: string): ScriptHeader {
  const h: ScriptHeader = {};
  for (const line of text.split(/\r?\n/)) {
    const m = MARKER.exec(line);
    if (!m) continue;
    const value = m[2].replace(/\*\/\s*$/, '').trim();
    if (value === '') continue;
    const list = () => value.split(',').map((s) => s.trim()).filter(Boolean);
    switch (m[1]) {
      case 'Description':
        h.description ??= value;
        break;
      case 'CommandId':
        h.commandId ??= value;
        break;
      case 'Component':
        h.components ??= list();
        break;
      case 'Group':
        h.group ??= value;
        break;
      case 'ComponentClass':
        h.componentClasses ??= list();
        break;
    }
  }
  return h;
}

/** The header comment lines written before a script saved to disk (`//` for JavaScript and TypeScript). */
export function writeHeader(h: { description: string; commandId: string; component: string; group?: string }): string {
  const one = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();
  let out = `// AS:Description: ${one(h.description)}\n// AS:CommandId: ${one(h.commandId)}\n// AS:Component: ${one(h.component)}\n`;
  if (h.group) out += `// AS:Group: ${one(h.group)}\n`;
  return out;
}

/** A comment line that holds an `AS:` marker (`// AS:…`, ` * AS:…`, `# AS:…`, `/* AS:… *\/`): opener, marker, closer. */
const HEADER_LINE = /^(\s*(?:\/\/+|\/\*+|\*|#|;)?\s*)AS:(?:Description|CommandId|Component|Group|ComponentClass):.*?(\*\/\s*)?(\r?)$/;

/**
 * The text without the `AS:` markers of its comment lines, for a script whose header is written anew (the
 * form's values win). The comment marks stay, so comments stay closed and line numbers do not move.
 */
export function stripHeader(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(HEADER_LINE, (_m, open: string, close: string | undefined, cr: string) => (open + (close ?? '')).trimEnd() + cr))
    .join('\n');
}
