// The second example of "Scripting Introduction - Hello World!" (Using Tigase, 11.14.1), in JavaScript:
// it asks for a name first, then greets.
// AS:Description: Hello world script asking for a name
// AS:CommandId: hello-name
// AS:Component: sess-man
// AS:Group: Examples
var p = packet

var name = Command.getFieldValue(packet, "name")

if (name == null) {
  var res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Hello World Script")
  Command.addInstructions(res, "Please provide some details")
  Command.addFieldValue(res, "name", name || "", "text-single",
    "Your name")
  return res
}

var res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Hello World Script")
Command.addInstructions(res, `Hello ${name}, how are you?`)

return res
