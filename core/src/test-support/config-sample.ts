/** A config with beans, nested blocks, lists and quoted numbers, for the config model and typed-view tests. */
export const FILE = 'cfg.tdsl';
export const CONFIG = `
'sess-man' (class: tigase.server.xmppsession.SessionManager) {
    amp () {
        'store-limit' = 200L
        'quota-exceeded' = 'drop'
        'user-store-limit-enable' = 'true'
        'msg-store-offline-paths' = [ '/message/received', '-/message/plain' ]
        msgoffline (active: false) {}
    }
    'jabber:iq:last-marker' {
        message = true
    }
}
c2s {
    'max-inactivity-time' = '180000'
    ratio = 0.5
    count = 3
    connections {
        ports = [ 5222, 5223 ]
        5223 { socket = 'ssl' }
    }
    plugins = 'a, b,,c'
    bad = [ 'x', [ 'y' ] ]
}
`;
