// The first example of "Scripting Introduction - Hello World!" (Using Tigase, 11.14.1), in JavaScript.
// AS:Description: Hello world script
// AS:CommandId: hello
// AS:Component: sess-man
// AS:Group: Examples
var p = packet
var res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Hello World Script")
Command.addInstructions(res, "Hello admin, how are you?")
return res
