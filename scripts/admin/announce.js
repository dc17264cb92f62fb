// XEP-0133 4.23 Send Announcement to Online Users of this component's virtual host.
// AS:Description: Send Announcement to Online Users
// AS:CommandId: http://jabber.org/protocol/admin#announce
// AS:Component: sess-man
// AS:Group: Notifications
var p = packet
var domain = p.getStanzaTo().getDomain()
var lines = Command.getFieldValues(p, "announcement")
var subject = Command.getFieldValue(p, "subject")

if (lines == null || lines.join("").trim() === "") {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Making an Announcement")
  Command.addInstructions(res, "Fill out this form to make an announcement to all active users of " + domain + ".")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "subject", subject || "", "text-single", "Subject")
  Command.addFieldValue(res, "announcement", [], "text-multi", "Announcement")
  return res
}

var sent = announce.send(domain, lines.join("\n"), subject || undefined)
var res = p.commandResult(Command.DataType.result)
Command.addTextField(res, "Note", "Operation successful")
Command.addFieldValue(res, "sent", String(sent), "text-single", "Users notified")
return res
