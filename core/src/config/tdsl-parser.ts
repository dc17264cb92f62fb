import { ConfigError, formatPos, type SourcePos } from './errors';
import { ConfigBean } from './model';
import { applyOperator, checkRange, negate, type Operator } from './tdsl-arithmetic';
import { blameOpenString, tokenize, type Token } from './tdsl-tokenizer';
import { describe, type ConfigValue } from './values';

/** Where `env()` and `prop()` look. */
export interface TdslContext {
  /** Environment variables for `env('VAR', 'default')`. */
  env: Readonly<Record<string, string | undefined>>;
  /** System properties for `prop('name', 'default')`. */
  props: Readonly<Record<string, string | undefined>>;
}

const BEAN_PROPERTIES = ['class', 'active', 'exportable'] as const;

/**
 * Parses TDSL text into a tree whose root is a nameless ConfigBean. Expressions (`env()`, `prop()`,
 * `+ - * /`) are evaluated while parsing, so the tree holds plain values. Every error is a ConfigError
 * with file:line:column.
 *
 * Grammar (newline or comma separates statements; a block needs no separator after its `}`):
 *   body      := (statement (sep statement)*)? sep?
 *   statement := key ('=' | ':') (expr | block) | key block | key '(' beanProps ')' block?
 *   key       := word | string | number
 *   beanProps := (('class' | 'active' | 'exportable') (':' | '=') expr) separated by ',' / newlines
 *   expr      := term (('+' | '-') term)*      term := unary (('*' | '/') unary)*
 *   unary     := '-' unary | primary
 *   primary   := string | number | true | false | null | word | list | '(' expr ')'
 *              | ('env' | 'prop') '(' expr (',' expr)? ')'
 *   list      := '[' (expr (sep expr)*)? sep? ']'
 */
export function parseTdsl(text: string, file: string, context: TdslContext = { env: {}, props: {} }): ConfigBean {
  const tokens = tokenize(text, file);
  try {
    return new TdslParser(tokens, context).parseFile(file);
  } catch (err) {
    throw err instanceof ConfigError ? blameOpenString(err, tokens) : err;
  }
}

class TdslParser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly context: TdslContext,
  ) {}

  parseFile(file: string): ConfigBean {
    const root = new ConfigBean('', { file, line: 1, column: 1 });
    this.parseBody(root, undefined);
    return root;
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.type !== 'eof') this.i++;
    return t;
  }

  private skipNewlines(): void {
    while (this.peek().type === 'newline') this.i++;
  }

  private skipSeparators(): void {
    while (this.peek().type === 'newline' || this.peek().type === ',') this.i++;
  }

  private fail(token: Token, message: string): ConfigError {
    return new ConfigError('STARLING_CONFIG_SYNTAX', token.pos, message);
  }

  private expect(type: Token['type'], what: string): Token {
    const t = this.next();
    if (t.type !== type) throw this.fail(t, `expected ${what}, got ${show(t)}`);
    return t;
  }

  // ---- blocks ---------------------------------------------------------------------------------

  /** Statements until `}` (left for the caller) or, at the root (`open` undefined), end of file. */
  private parseBody(bean: ConfigBean, open: Token | undefined): void {
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.type === 'eof') {
        if (open) throw this.fail(t, `expected '}' to close the block '${bean.name}' opened at ${formatPos(open.pos)}`);
        return;
      }
      if (t.type === '}') {
        if (!open) throw this.fail(t, `unexpected '}': no block is open`);
        return;
      }
      const endedWithBlock = this.parseStatement(bean);
      if (!endedWithBlock) {
        const after = this.peek();
        if (after.type !== 'newline' && after.type !== ',' && after.type !== '}' && after.type !== 'eof') {
          throw this.fail(after, `expected a new line or ',' before ${show(after)}`);
        }
      }
    }
  }

  /** One `key …` statement; returns true when it ended with a block's `}` (or a bean's `)`). */
  private parseStatement(bean: ConfigBean): boolean {
    const keyToken = this.next();
    if (keyToken.type !== 'word' && keyToken.type !== 'string' && keyToken.type !== 'number') {
      throw this.fail(keyToken, `expected a key, got ${show(keyToken)}`);
    }
    const key = keyToken.type === 'string' ? keyToken.value : keyToken.text;
    this.checkDuplicate(bean, key, keyToken);
    const t = this.peek();
    switch (t.type) {
      case '=':
      case ':': {
        this.next();
        this.skipNewlines();
        if (this.peek().type === '{') {
          this.parseBlock(bean, key, keyToken.pos);
          return true;
        }
        bean.set(key, this.parseExpression().value, keyToken.pos);
        return false;
      }
      case '{':
        this.parseBlock(bean, key, keyToken.pos);
        return true;
      case '(': {
        this.next();
        const child = new ConfigBean(key, keyToken.pos, { declared: true });
        this.parseBeanProperties(child);
        this.skipNewlines();
        if (this.peek().type === '{') this.parseBlockInto(child);
        bean.setBean(child);
        return true;
      }
      default:
        throw this.fail(t, `expected '=', ':', '{' or '(' after the key '${key}', got ${show(t)}`);
    }
  }

  private checkDuplicate(bean: ConfigBean, key: string, keyToken: Token): void {
    if (bean.has(key) || bean.bean(key)) {
      throw new ConfigError(
        'STARLING_CONFIG_DUPLICATE',
        keyToken.pos,
        `'${key}' is already set in this block at ${formatPos(bean.keyPos(key))}`,
      );
    }
  }

  /** A plain block `key { … }`; one holding `active` (boolean) or `class` (string) becomes a bean definition, as in Tigase. */
  private parseBlock(parent: ConfigBean, key: string, pos: SourcePos): void {
    const child = new ConfigBean(key, pos);
    this.parseBlockInto(child);
    const active = child.get('active');
    const className = child.get('class');
    if (active?.kind === 'boolean' || className?.kind === 'string') {
      child.declared = true;
      if (active?.kind === 'boolean') {
        child.active = active.value;
        child.entries.delete('active');
      }
      if (className?.kind === 'string') {
        child.className = className.value;
        child.entries.delete('class');
      }
    }
    parent.setBean(child);
  }

  private parseBlockInto(child: ConfigBean): void {
    const open = this.expect('{', "'{'");
    this.parseBody(child, open);
    this.expect('}', "'}'");
  }

  /** After `name (`: `class: a.b.C, active: false, exportable: true` up to and including `)`. */
  private parseBeanProperties(bean: ConfigBean): void {
    const seen = new Set<string>();
    for (;;) {
      this.skipSeparators();
      const t = this.next();
      if (t.type === ')') return;
      if (t.type !== 'word' && t.type !== 'string') throw this.fail(t, `expected class, active, exportable or ')', got ${show(t)}`);
      const prop = t.type === 'string' ? t.value : t.text;
      if (!(BEAN_PROPERTIES as readonly string[]).includes(prop)) {
        throw this.fail(t, `unknown bean property '${prop}' for '${bean.name}': only class, active and exportable are allowed in ( )`);
      }
      if (seen.has(prop)) throw this.fail(t, `'${prop}' is given twice for '${bean.name}'`);
      seen.add(prop);
      const sep = this.next();
      if (sep.type !== ':' && sep.type !== '=') throw this.fail(sep, `expected ':' after '${prop}', got ${show(sep)}`);
      this.skipNewlines();
      const { value, pos } = this.parseExpression();
      if (prop === 'class') {
        if (value.kind !== 'string') throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `class must be a class name, got ${describe(value)}`);
        bean.className = value.value;
      } else {
        if (value.kind !== 'boolean') throw new ConfigError('STARLING_CONFIG_SYNTAX', pos, `${prop} must be true or false, got ${describe(value)}`);
        if (prop === 'active') bean.active = value.value;
        else bean.exportable = value.value;
      }
      const after = this.peek();
      if (after.type !== ',' && after.type !== 'newline' && after.type !== ')') {
        throw this.fail(after, `expected ',' or ')' after ${prop}, got ${show(after)}`);
      }
    }
  }

  // ---- expressions ----------------------------------------------------------------------------

  private parseExpression(): { value: ConfigValue; pos: SourcePos } {
    const start = this.peek().pos;
    let value = this.parseTerm();
    for (let t = this.peek(); t.type === '+' || t.type === '-'; t = this.peek()) {
      this.next();
      this.skipNewlines();
      value = applyOperator(t.type as Operator, value, this.parseTerm(), t.pos);
    }
    return { value: checkRange(value, start), pos: start };
  }

  private parseTerm(): ConfigValue {
    let value = this.parseUnary();
    for (let t = this.peek(); t.type === '*' || t.type === '/'; t = this.peek()) {
      this.next();
      this.skipNewlines();
      value = applyOperator(t.type as Operator, value, this.parseUnary(), t.pos);
    }
    return value;
  }

  private parseUnary(): ConfigValue {
    const t = this.peek();
    if (t.type === '-') {
      this.next();
      return negate(this.parseUnary(), t.pos);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ConfigValue {
    const t = this.next();
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: t.value };
      case 'number':
        return { kind: t.kind, value: t.value };
      case '[':
        return this.parseList(t);
      case '(': {
        this.skipNewlines();
        const { value } = this.parseExpression();
        this.skipNewlines();
        this.expect(')', "')'");
        return value;
      }
      case 'word':
        if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text === 'true' };
        if (t.text === 'null') return { kind: 'null' };
        if ((t.text === 'env' || t.text === 'prop') && this.peek().type === '(') return this.parseLookup(t);
        return { kind: 'string', value: t.text };
      default:
        throw this.fail(t, `expected a value, got ${show(t)}`);
    }
  }

  private parseList(open: Token): ConfigValue {
    const items: ConfigValue[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.type === ']') {
        this.next();
        return { kind: 'list', items };
      }
      if (t.type === 'eof') throw this.fail(t, `expected ']' to close the list opened at ${formatPos(open.pos)}`);
      items.push(this.parseExpression().value);
      const after = this.peek();
      if (after.type !== ',' && after.type !== 'newline' && after.type !== ']' && after.type !== 'eof') {
        throw this.fail(after, `expected ',' or ']' in the list opened at ${formatPos(open.pos)}, got ${show(after)}`);
      }
    }
  }

  /** `env('VAR', default)` / `prop('name', default)`: the variable as a string, else the default. */
  private parseLookup(fn: Token): ConfigValue {
    this.expect('(', "'('");
    this.skipNewlines();
    const name = this.parseExpression();
    if (name.value.kind !== 'string') {
      throw new ConfigError('STARLING_CONFIG_SYNTAX', name.pos, `${fn.text}() needs a name, got ${describe(name.value)}`);
    }
    this.skipNewlines();
    let def: ConfigValue | undefined;
    if (this.peek().type === ',') {
      this.next();
      this.skipNewlines();
      def = this.parseExpression().value;
      this.skipNewlines();
    }
    this.expect(')', `')' to close ${fn.text}(`);
    const source = fn.text === 'env' ? this.context.env : this.context.props;
    const found = source[name.value.value];
    if (found !== undefined) return { kind: 'string', value: found };
    if (def !== undefined) return def;
    const what = fn.text === 'env' ? 'environment variable' : 'property';
    throw new ConfigError('STARLING_CONFIG_UNSET', fn.pos, `${what} '${name.value.value}' is not set and ${fn.text}() gives no default`);
  }
}

function show(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return 'end of line';
    case 'string':
      return `string ${t.text}`;
    case 'number':
      return `number ${t.text}`;
    case 'word':
      return `'${t.text}'`;
    default:
      return `'${t.type}'`;
  }
}
