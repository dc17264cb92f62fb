// XEP-0133 4.26 Set Message of the Day: sent to each user of this virtual host when they become available.
// AS:Description: Set Message of the Day
// AS:CommandId: http://jabber.org/protocol/admin#set-motd
// AS:Component: sess-man
// AS:Group: Notifications
var p = packet
var domain = p.getStanzaTo().getDomain()
var lines = Command.getFieldValues(p, "motd")

if (lines == null || lines.join("").trim() === "") {
  var current = motd.get(domain)
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Setting the Message of the Day")
  Command.addInstructions(res, "Fill out this form to set the message of the day of " + domain + ".")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "motd", current ? current.split("\n") : [], "text-multi", "Message of the day")
  return res
}

motd.set(domain, lines.join("\n"))
var res = p.commandResult(Command.DataType.result)
Command.addTextField(res, "Note", "Operation successful")
return res
