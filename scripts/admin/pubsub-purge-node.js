// Removes every item of a node of the PubSub service of this virtual host; its subscribers are told (XEP-0060 §8.5).
// AS:Description: Purge a node's items
// AS:CommandId: purge-node
// AS:Component: pubsub
// AS:Group: Nodes
var p = packet
var domain = p.getStanzaTo().getDomain()
var node = Command.getFieldValue(p, "node")

if (node == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Purge a node's items")
  Command.addFieldValue(res, "node", "", "list-single", "Node", pubsub.listNodes(domain).map(function (n) { return n.node }))
  return res
}

var res = p.commandResult(Command.DataType.result)
try {
  pubsub.purgeNode(domain, node)
  Command.addTextField(res, "Note", "Operation successful")
} catch (e) {
  Command.addTextField(res, "Note", e.message)
}
return res
