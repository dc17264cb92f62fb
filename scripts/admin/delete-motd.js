// XEP-0133 4.28 Delete Message of the Day of this component's virtual host.
// AS:Description: Delete Message of the Day
// AS:CommandId: http://jabber.org/protocol/admin#delete-motd
// AS:Component: sess-man
// AS:Group: Notifications
var p = packet
var domain = p.getStanzaTo().getDomain()
var res = p.commandResult(Command.DataType.result)
Command.addTextField(res, "Note", motd.remove(domain) ? "Operation successful" : "There is no message of the day.")
return res
