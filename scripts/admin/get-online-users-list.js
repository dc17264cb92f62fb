// XEP-0133 4.21 Get List of Online Users, for the virtual host of this component (sess-man@<vhost>).
// AS:Description: Get List of Online Users
// AS:CommandId: http://jabber.org/protocol/admin#get-online-users-list
// AS:Component: sess-man
// AS:Group: Statistics
var p = packet
var domain = p.getStanzaTo().getDomain()
var max = Command.getFieldValue(p, "max_items")

if (max == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Requesting List of Online Users")
  Command.addInstructions(res, "Fill out this form to request the online users of " + domain + ".")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "max_items", "25", "list-single", "Maximum number of items to show", ["25", "50", "75", "100", "150", "200", "none"])
  return res
}

var list = sessions.onlineUsers(domain)
if (max !== "none") list = list.slice(0, Number(max) || 25)
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "onlineuserjids", list, "jid-multi", "The list of all online users")
return res
