// XEP-0133 4.2 Delete User: removes the accounts (and everything stored for them) and ends their sessions.
// AS:Description: Delete a User
// AS:CommandId: http://jabber.org/protocol/admin#delete-user
// AS:Component: sess-man
// AS:Group: Users
var p = packet
var jids = Command.getFieldValues(p, "accountjids")

if (jids == null || jids.length === 0) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Deleting a User")
  Command.addInstructions(res, "Fill out this form to delete a user.")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "accountjids", [], "jid-multi", "The Jabber ID(s) to delete")
  return res
}

var failed = []
for (var jid of jids) {
  var account = BareJID.bareJIDInstance(jid)
  if (!isAllowedForDomain(account.getDomain())) failed.push(jid + ": you do not have enough permissions for this domain")
  else {
    try {
      if (!users.remove(account.toString())) failed.push(jid + ": no such user")
    } catch (e) {
      failed.push(jid + ": " + e.message)
    }
  }
}
var res = p.commandResult(Command.DataType.result)
if (failed.length === 0) Command.addTextField(res, "Note", "Operation successful")
else {
  Command.addTextField(res, "Note", "Some users were not deleted")
  Command.addFieldMultiValue(res, "Notes", failed, "Not deleted")
}
return res
