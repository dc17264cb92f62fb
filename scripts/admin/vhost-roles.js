// Sets who owns and who administers a virtual host: the JIDs that DOMAIN_OWNER and DOMAIN_ADMIN command
// ACLs admit for that host, e.g. 'sess-man' { commands { 'http://jabber.org/protocol/admin#add-user' = 'DOMAIN_ADMIN' } }.
// AS:Description: Set virtual host owner and administrators
// AS:CommandId: vhost-roles
// AS:Component: vhost-man
// AS:Group: Virtual hosts
var p = packet
var domain = Command.getFieldValue(p, "domain")

if (domain == null) {
  var hosts = vhosts.list()
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Virtual host owner and administrators")
  Command.addInstructions(res, "The owner and administrators may run the commands whose ACL is DOMAIN_OWNER or DOMAIN_ADMIN for this virtual host. The lists given replace the current ones.")
  Command.addFieldMultiValue(res, "current", hosts.map(function (h) {
    return h.domain + ": owner " + (h.owner || "none") + ", administrators " + (h.admins.length ? h.admins.join(", ") : "none")
  }), "Now")
  Command.addFieldValue(res, "domain", hosts[0].domain, "list-single", "Virtual host", hosts.map(function (h) { return h.domain }))
  Command.addFieldValue(res, "owner", "", "jid-single", "Owner")
  Command.addFieldValue(res, "admins", [], "jid-multi", "Administrators")
  return res
}

var res = p.commandResult(Command.DataType.result)
try {
  vhosts.setRoles(domain, Command.getFieldValue(p, "owner") || null, Command.getFieldValues(p, "admins") || [])
  Command.addTextField(res, "Note", "Operation successful")
} catch (e) {
  Command.addTextField(res, "Note", e.message)
}
return res
