// The rooms of this virtual host's chat service (public or not), with their occupants.
// AS:Description: List chat rooms
// AS:CommandId: muc-list-rooms
// AS:Component: muc
// AS:Group: Chat rooms
var p = packet
var rooms = muc.listRooms(p.getStanzaTo().getDomain())
var res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Chat rooms")
Command.addFieldValue(res, "rooms", rooms.map(function (r) { return r.jid }), "jid-multi", "Rooms")
Command.addFieldValue(res, "details", rooms.map(function (r) {
  return r.jid + " '" + r.name + "' occupants: " + r.occupants + (r.persistent ? ", persistent" : ", temporary") + (r.public ? ", public" : ", hidden")
}), "text-multi", "Details")
return res
