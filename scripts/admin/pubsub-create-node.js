// Creates a node on the PubSub service of this virtual host, optionally with another owner than the service.
// AS:Description: Create a node
// AS:CommandId: create-node
// AS:Component: pubsub
// AS:Group: Nodes
var p = packet
var domain = p.getStanzaTo().getDomain()
var node = Command.getFieldValue(p, "node")

if (node == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Create a node")
  Command.addFieldValue(res, "node", "", "text-single", "Node")
  Command.addFieldValue(res, "owner", "", "jid-single", "Owner (optional)")
  return res
}

var res = p.commandResult(Command.DataType.result)
try {
  pubsub.createNode(domain, node, Command.getFieldValue(p, "owner") || "")
  Command.addTextField(res, "Note", "Operation successful")
} catch (e) {
  Command.addTextField(res, "Note", e.message)
}
return res
