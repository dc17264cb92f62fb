// XEP-0133 4.15 Get Number of Registered Users, for the virtual host of this component.
// AS:Description: Get Number of Registered Users
// AS:CommandId: http://jabber.org/protocol/admin#get-registered-users-num
// AS:Component: sess-man
// AS:Group: Statistics
var p = packet
var domain = p.getStanzaTo().getDomain()
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "registeredusersnum", String(users.count(domain)), "text-single", "The number of registered users")
return res
