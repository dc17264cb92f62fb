// XEP-0133 Get Number of Idle Users, for the virtual host of this component: users online none of whose
// resources sent anything in the last 5 minutes (Tigase's TIME_BEFORE_IDLE).
// AS:Description: Get Number of Idle Users
// AS:CommandId: http://jabber.org/protocol/admin#get-idle-users-num
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
var idle = sessions.onlineUsers(domain).filter(function (u) { return !active[u] })
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "idleusersnum", String(idle.length), "text-single", "The number of online idle users")
return res
