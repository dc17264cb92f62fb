// XEP-0133 Edit Message of the Day: the current one, to change (set-motd's form, pre-filled).
// AS:Description: Edit Message of the Day
// AS:CommandId: http://jabber.org/protocol/admin#edit-motd
// AS:Component: sess-man
// AS:Group: Notifications
var p = packet
var domain = p.getStanzaTo().getDomain()
var lines = Command.getFieldValues(p, "motd")

if (lines == null) {
  var current = motd.get(domain)
  var form = p.commandResult(Command.DataType.form)
  Command.addTitle(form, "Editing the Message of the Day")
  Command.addInstructions(form, "Fill out this form to edit the message of the day of " + domain + ".")
  Command.addHiddenField(form, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(form, "motd", current ? current.split("\n") : [], "text-multi", "Message of the day")
  return form
}

var res = p.commandResult(Command.DataType.result)
if (lines.join("").trim() === "") {
  motd.remove(domain)
  Command.addTextField(res, "Note", "The message of the day was removed")
} else {
  motd.set(domain, lines.join("\n"))
  Command.addTextField(res, "Note", "Operation successful")
}
return res
