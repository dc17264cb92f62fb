// XEP-0133 4.1 Add User. Unlike Tigase's AddUser.groovy, the two passwords must match.
// AS:Description: Add a User
// AS:CommandId: http://jabber.org/protocol/admin#add-user
// AS:Component: sess-man
// AS:Group: Users
var p = packet
var jid = Command.getFieldValue(p, "accountjid")
var password = Command.getFieldValue(p, "password")
var verify = Command.getFieldValue(p, "password-verify")
var email = Command.getFieldValue(p, "email")

function form(note) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Adding a User")
  Command.addInstructions(res, "Fill out this form to add a user.")
  Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
  if (note) Command.addTextField(res, "Note", note)
  Command.addFieldValue(res, "accountjid", jid || "", "jid-single", "The Jabber ID for the account to be added")
  Command.addFieldValue(res, "password", "", "text-private", "The password for this account")
  Command.addFieldValue(res, "password-verify", "", "text-private", "Retype password")
  Command.addFieldValue(res, "email", email || "", "text-single", "Email address")
  return res
}

function done(note) {
  var res = p.commandResult(Command.DataType.result)
  Command.addTextField(res, "Note", note)
  return res
}

if (!jid || !password || !verify) return form()
if (password !== verify) return form("The passwords do not match.")

var account = BareJID.bareJIDInstance(jid)
if (!isAllowedForDomain(account.getDomain())) return done("You do not have enough permissions to create account for this domain.")
try {
  if (!users.add(account.toString(), password)) return done("User already exists, can't be added.")
} catch (e) {
  return done(e.message)
}
return done("Operation successful")
