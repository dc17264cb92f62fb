// XEP-0133 Get Number of Active Users, for the virtual host of this component: users online with a
// resource that sent something in the last 5 minutes (Tigase's TIME_BEFORE_IDLE).
// AS:Description: Get Number of Active Users
// AS:CommandId: http://jabber.org/protocol/admin#get-active-users-num
// AS:Component: sess-man
// AS:Group: Statistics
var IDLE_AFTER_MS = 5 * 60 * 1000
var p = packet
var domain = p.getStanzaTo().getDomain()
var now = Date.now()
var active = {}
sessions.list(domain).forEach(function (s) {
  if (now - s.lastActivity < IDLE_AFTER_MS) active[s.jid.split("/")[0]] = true
})
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "activeusersnum", String(Object.keys(active).length), "text-single", "The number of online active users")
return res
