import type { Logger } from '@starling/sdk';
import type { RemoveReport, ScriptManager } from '../scripting/script-manager';
import { noteReply } from '../scripting/script-command';
import { readHeader } from '../scripting/script-header';
import { LANGUAGES, languageOf } from '../scripting/script-language';
import type { AdHocCommand, CommandCall, CommandReply } from './ad-hoc-command';
import { FIELD, TEXT } from './command-texts';
import { booleanValue, dataForm, firstValue } from './data-form';

/** Tigase's built-in "New command script" (add-script), on every component. */
export class AddScriptCommand implements AdHocCommand {
  readonly id = 'add-script';
  readonly name = 'New command script';
  readonly group = 'Scripts';

  constructor(
    private readonly scripts: ScriptManager,
    private readonly log: Logger,
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const v = call.values;
    const text = v.get(FIELD.scriptText)?.join('\n') ?? '';
    // The text's AS: header fills what the form leaves out; where both give a value, the form's wins.
    const header = readHeader(text);
    const description = firstValue(v, FIELD.description)?.trim() || header.description;
    const id = firstValue(v, FIELD.commandId)?.trim() || header.commandId;
    const languageName = firstValue(v, FIELD.language);
    const language = languageName !== undefined ? languageOf(languageName) : undefined;
    if (languageName !== undefined && !language)
      return noteReply(TEXT.scriptInitError, [{ var: FIELD.errorMessage, values: [`'${languageName}' is not an installed language; use ${LANGUAGES.map((l) => l.name).join(' or ')}`] }]);
    if (!description || !id || !language || text.trim() === '') return this.form(call);
    const saveToDisk = booleanValue(v, FIELD.saveToDisk, true);
    const who = { by: call.from.toString(), component: call.component.name, id, language: language.name, saveToDisk };
    try {
      await this.scripts.upload({ component: call.component.name, id, description, group: firstValue(v, FIELD.group)?.trim() || header.group, language, text, saveToDisk });
    } catch (err) {
      const e = err as Error & { code?: string };
      this.log.warn('script upload refused', { ...who, code: e.code, error: e.message });
      return noteReply(TEXT.scriptInitError, [
        { var: FIELD.errorMessage, values: e.message.split('\n') },
        { var: FIELD.debugInfo, values: [e.code ?? e.name] },
      ]);
    }
    this.log.info('script uploaded', who);
    return noteReply(TEXT.scriptLoaded);
  }

  /** The form, with what was already submitted filled in. */
  private form(call: CommandCall): CommandReply {
    const v = call.values;
    const val = (name: string, def: string) => [firstValue(v, name) ?? def];
    const lang = languageOf(firstValue(v, FIELD.language) ?? '') ?? LANGUAGES[0];
    return {
      status: 'executing',
      children: [
        dataForm('form', {
          title: this.name,
          instructions: `Add a command to ${call.component.name}. Scripts run in a sandbox with the script API (sdk/script-api/script-api.d.ts).`,
          fields: [
            { var: FIELD.description, type: 'text-single', label: FIELD.description, values: val(FIELD.description, 'Short description') },
            { var: FIELD.commandId, type: 'text-single', label: FIELD.commandId, values: val(FIELD.commandId, 'new-command') },
            { var: FIELD.group, type: 'text-single', label: FIELD.group, values: val(FIELD.group, 'group') },
            { var: FIELD.language, type: 'list-single', label: FIELD.language, values: [lang.name], options: LANGUAGES.map((l) => ({ label: l.name, value: l.name })) },
            { var: FIELD.scriptText, type: 'text-multi', label: FIELD.scriptText, values: v.get(FIELD.scriptText) ?? [] },
            { var: FIELD.saveToDisk, type: 'boolean', label: FIELD.saveToDisk, values: [booleanValue(v, FIELD.saveToDisk, true) ? 'true' : 'false'] },
          ],
        }),
      ],
    };
  }
}

/** Starling's "List command scripts" (scripts-list), on every component: each script command with its language and source. */
export class ListScriptsCommand implements AdHocCommand {
  readonly id = 'scripts-list';
  readonly name = 'List command scripts';
  readonly group = 'Scripts';

  constructor(private readonly scripts: ScriptManager) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const defs = this.scripts.list(call.component.name);
    return {
      status: 'completed',
      children: [
        dataForm('result', {
          title: `${this.name} of ${call.component.name}`,
          fields: [{ var: FIELD.note, type: 'fixed', values: [`${defs.length} script command${defs.length === 1 ? '' : 's'}`] }],
          table: {
            columns: [FIELD.commandId, FIELD.description, FIELD.group, FIELD.language, FIELD.source].map((c) => ({ var: c, label: c })),
            rows: defs.map((d) => ({
              [FIELD.commandId]: d.id,
              [FIELD.description]: d.description,
              [FIELD.group]: d.group ?? '',
              [FIELD.language]: d.language.name,
              [FIELD.source]: this.scripts.sourceOf(d),
            })),
          },
        }),
      ],
    };
  }
}

/** Tigase's built-in "Remove command script" (del-script), on every component. */
export class RemoveScriptCommand implements AdHocCommand {
  readonly id = 'del-script';
  readonly name = 'Remove command script';
  readonly group = 'Scripts';

  constructor(
    private readonly scripts: ScriptManager,
    private readonly scriptIds: (component: string) => { id: string; name: string }[],
    private readonly log: Logger,
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const id = firstValue(call.values, FIELD.commandId)?.trim();
    if (!id) {
      const ids = this.scriptIds(call.component.name);
      return {
        status: 'executing',
        children: [
          dataForm('form', {
            title: this.name,
            fields: [
              // Nothing pre-selected: the admin picks the command to remove.
              { var: FIELD.commandId, type: 'list-single', label: FIELD.commandId, values: [], options: ids.map((s) => ({ label: s.name, value: s.id })) },
              { var: FIELD.removeFromDisk, type: 'boolean', label: FIELD.removeFromDisk, values: ['true'] },
            ],
          }),
        ],
      };
    }
    const fromDisk = booleanValue(call.values, FIELD.removeFromDisk, true);
    const report = this.scripts.remove(call.component.name, id, fromDisk);
    const who = { by: call.from.toString(), component: call.component.name, id, fromDisk };
    if (!report) {
      this.log.warn('script removal: no such script command', who);
      return noteReply(TEXT.noScriptToRemove);
    }
    this.log.info('script removed', { ...who, deleted: report.deleted, kept: report.kept });
    if (report.kept.length === 0) return noteReply(TEXT.scriptRemoved, report.deleted.length ? [{ var: FIELD.deletedFiles, values: report.deleted }] : []);
    return noteReply(TEXT.scriptRemovedUntilRestart, [
      { var: FIELD.keptFiles, values: report.kept.map((k) => `${k.path} (${KEPT_BECAUSE[k.why]})`) },
      ...(report.deleted.length ? [{ var: FIELD.deletedFiles, values: report.deleted }] : []),
    ]);
  }
}

const KEPT_BECAUSE: Record<RemoveReport['kept'][number]['why'], string> = {
  stock: 'a stock script: never deleted',
  shared: 'it serves other components too',
  'not-asked': '"Remove from disk" was off',
  failed: 'it could not be deleted; see the server log',
};
