// Destroys a room: its occupants are told (with the reason and an alternate room), a stored room is deleted.
// AS:Description: Destroy chat room
// AS:CommandId: muc-destroy-room
// AS:Component: muc
// AS:Group: Chat rooms
var p = packet
var room = Command.getFieldValue(p, "room")

if (room == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Destroy chat room")
  Command.addInstructions(res, "Name the room to destroy on " + p.getStanzaTo().getDomain() + ".")
  Command.addFieldValue(res, "room", "", "jid-single", "Room JID")
  Command.addFieldValue(res, "reason", "", "text-single", "Reason")
  Command.addFieldValue(res, "venue", "", "jid-single", "Alternate room")
  return res
}

var done = muc.destroyRoom(room, Command.getFieldValue(p, "reason"), Command.getFieldValue(p, "venue"))
var res = p.commandResult(Command.DataType.result)
Command.addTextField(res, "Note", done ? "Room " + room + " destroyed." : "There is no room " + room + ".")
return res
