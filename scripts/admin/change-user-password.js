// XEP-0133 4.7 Change User Password.
// AS:Description: Change User Password
// AS:CommandId: http://jabber.org/protocol/admin#change-user-password
// AS:Component: sess-man
// AS:Group: Users
var p = packet
var jid = Command.getFieldValue(p, "accountjid")
var password = Command.getFieldValue(p, "password")

if (!jid || !password) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Changing a User Password")
  Command.addInstructions(res, "Fill out this form to change a user's password.")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(res, "accountjid", jid || "", "jid-single", "The Jabber ID for this account")
  Command.addFieldValue(res, "password", "", "text-private", "The password for this account")
  return res
}

var account = BareJID.bareJIDInstance(jid)
var res = p.commandResult(Command.DataType.result)
if (!isAllowedForDomain(account.getDomain())) Command.addTextField(res, "Note", "You do not have enough permissions to manage this domain.")
else if (users.setPassword(account.toString(), password)) Command.addTextField(res, "Note", "Operation successful")
else Command.addTextField(res, "Note", "The user does not exist.")
return res
