// Deletes a node of the PubSub service of this virtual host; its subscribers are told (XEP-0060 §8.4).
// AS:Description: Delete a node
// AS:CommandId: delete-node
// AS:Component: pubsub
// AS:Group: Nodes
var p = packet
var domain = p.getStanzaTo().getDomain()
var node = Command.getFieldValue(p, "node")

if (node == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Delete a node")
  Command.addFieldValue(res, "node", "", "list-single", "Node", pubsub.listNodes(domain).map(function (n) { return n.node }))
  return res
}

var res = p.commandResult(Command.DataType.result)
try {
  pubsub.deleteNode(domain, node)
  Command.addTextField(res, "Note", "Operation successful")
} catch (e) {
  Command.addTextField(res, "Note", e.message)
}
return res
