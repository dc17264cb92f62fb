// XEP-0133 4.19 Get List of Registered Users, for the virtual host of this component.
// AS:Description: Get List of Registered Users
// AS:CommandId: http://jabber.org/protocol/admin#get-registered-users-list
// AS:Component: sess-man
// AS:Group: Statistics
var p = packet
var domain = p.getStanzaTo().getDomain()
var max = Command.getFieldValue(p, "max_items")

if (max == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Requesting List of Registered Users")
  Command.addInstructions(res, "Fill out this form to request the registered users of " + domain + ".")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "max_items", "25", "list-single", "Maximum number of items to show", ["25", "50", "75", "100", "150", "200", "none"])
  return res
}

var list = max === "none" ? users.list(domain) : users.list(domain, Number(max) || 25)
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "registereduserjids", list, "jid-multi", "The list of all users")
return res
