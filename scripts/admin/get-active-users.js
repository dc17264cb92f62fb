// XEP-0133 Get List of Active Users, for the virtual host of this component: users online with a
// resource that sent something in the last 5 minutes (Tigase's TIME_BEFORE_IDLE).
// AS:Description: Get List of Active Users
// AS:CommandId: http://jabber.org/protocol/admin#get-active-users
// AS:Component: sess-man
// AS:Group: Statistics
var IDLE_AFTER_MS = 5 * 60 * 1000
var p = packet
var domain = p.getStanzaTo().getDomain()
var max = Command.getFieldValue(p, "max_items")

if (max == null) {
  var form = p.commandResult(Command.DataType.form)
  Command.addTitle(form, "Requesting List of Active Users")
  Command.addInstructions(form, "Fill out this form to request the active users of " + domain + ".")
  Command.addHiddenField(form, "FORM_TYPE", "http://jabber.org/protocol/admin")
  Command.addFieldValue(form, "max_items", "25", "list-single", "Maximum number of items to show", ["25", "50", "75", "100", "150", "200", "none"])
  return form
}

var now = Date.now()
var active = {}
sessions.list(domain).forEach(function (s) {
  if (now - s.lastActivity < IDLE_AFTER_MS) active[s.jid.split("/")[0]] = true
})
var list = Object.keys(active).sort()
if (max !== "none") list = list.slice(0, Number(max) || 25)
var res = p.commandResult(Command.DataType.result)
Command.addHiddenField(res, "FORM_TYPE", "http://jabber.org/protocol/admin")
Command.addFieldValue(res, "activeuserjids", list, "jid-multi", "The list of active users")
return res
