// XEP-0133 4.17 Get Number of Online Users, for the virtual host of this component.
// AS:Description: Get Number of Online Users
// AS:CommandId: http://jabber.org/protocol/admin#get-online-users-num
// AS:Component: sess-man
// AS:Group: Statistics
var p = packet
var domain = p.getStanzaTo().getDomain()
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "onlineusersnum", String(sessions.count(domain)), "text-single", "The number of online users")
return res
