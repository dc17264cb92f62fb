/** Tigase's texts for the command framework and script commands, kept word for word (spelling included). */
export const TEXT = {
  forbidden: 'Only Administrator can call the command.',
  canceled: 'Command canceled.',
  scriptLoaded: 'Script loaded successfuly.',
  scriptInitError: 'Script initialization error.',
  scriptRemoved: 'Script removed correctly',
  noScriptToRemove: 'There is no command script to remove',
  /** Starling's: when a file that defines the command stays on disk. */
  scriptRemovedUntilRestart: 'Script removed from the running server only: it comes back at the next restart (or when its file changes), because these files stay on disk.',
  noResults: 'Script finished with no errors but returned no results.',
  executionError: 'Script execution error.',
} as const;

/** Field vars of the built-in script commands (Tigase's `CommandIfc` constants). */
export const FIELD = {
  description: 'Description',
  commandId: 'Command Id',
  group: 'Group',
  language: 'Language',
  scriptText: 'Script text',
  saveToDisk: 'Save to disk',
  removeFromDisk: 'Remove from disk',
  note: 'Note',
  errorMessage: 'Error message',
  debugInfo: 'Debug info',
  scriptResult: 'Script result',
  /** Starling's: what "Remove command script" did with the files. */
  keptFiles: 'Files kept on disk',
  deletedFiles: 'Files deleted',
  /** Starling's: where a script command comes from (scripts-list). */
  source: 'Source',
} as const;
