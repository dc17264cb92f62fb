/** The bot's IQ namespace: `<query xmlns='urn:starling:help-bot:0'/>` lists topics, `<topic name='x'/>` inside asks one. */
export const NS_HELP_BOT = 'urn:starling:help-bot:0';

/** Where topics written by admins are kept (SERVER_DATA node). */
export const STORE_NODE = 'help-bot';
