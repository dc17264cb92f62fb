// XEP-0133 4.11 End User Session: a bare JID ends every resource, a full JID one.
// AS:Description: End User Session
// AS:CommandId: http://jabber.org/protocol/admin#end-user-session
// AS:Component: sess-man
// AS:Group: Users
var p = packet
var jids = Command.getFieldValues(p, "accountjids")

if (jids == null || jids.length === 0) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Ending a User Session")
  Command.addInstructions(res, "Fill out this form to end a user's session.")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "accountjids", [], "jid-multi", "The Jabber ID(s) for which to end sessions")
  return res
}

var ended = 0
var failed = []
for (var jid of jids) {
  try {
    ended += sessions.end(jid)
  } catch (e) {
    failed.push(jid + ": " + e.message)
  }
}
var res = p.commandResult(Command.DataType.result)
Command.addTextField(res, "Note", failed.length === 0 ? "Operation successful" : "Some sessions were not ended")
Command.addFieldValue(res, "ended", String(ended), "text-single", "Sessions ended")
if (failed.length) Command.addFieldMultiValue(res, "Notes", failed, "Not ended")
return res
