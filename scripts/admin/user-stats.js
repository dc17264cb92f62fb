// XEP-0133 4.14 Get User Statistics (roster size and online resources; IP addresses are not kept).
// AS:Description: Get User Statistics
// AS:CommandId: http://jabber.org/protocol/admin#user-stats
// AS:Component: sess-man
// AS:Group: Users
var p = packet
var jid = Command.getFieldValue(p, "accountjid")

if (!jid) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Get User Statistics")
  Command.addInstructions(res, "Fill out this form to gather user statistics.")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "accountjid", "", "jid-single", "The Jabber ID for statistics")
  return res
}

var stats = users.stats(BareJID.bareJIDInstance(jid).toString())
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
if (!stats.exists) {
  Command.addTextField(res, "Note", "The user does not exist.")
  return res
}
Command.addFieldValue(res, "accountjid", stats.jid, "jid-single", "The Jabber ID")
Command.addFieldValue(res, "rostersize", String(stats.rosterSize), "text-single", "Roster size")
Command.addFieldValue(res, "onlineresources", stats.onlineResources, "text-multi", "Online resources")
return res
