// Lists the nodes of the PubSub service of this virtual host (pubsub.<vhost>), with owner and access model.
// AS:Description: List of nodes
// AS:CommandId: list-nodes
// AS:Component: pubsub
// AS:Group: Nodes
var p = packet
var domain = p.getStanzaTo().getDomain()
var nodes = pubsub.listNodes(domain)
var res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Nodes of the PubSub service of " + domain)
Command.addFieldMultiValue(res, "nodes", nodes.map(function (n) {
  return n.node + " (owner " + n.owner + ", access " + n.accessModel + (n.title ? ", " + n.title : "") + ")"
}), "Nodes")
Command.addTextField(res, "Note", nodes.length + " node(s)")
return res
