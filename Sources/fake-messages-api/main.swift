// fake-messages-api: a local fake Anthropic Messages API for real-CLI tests.
// See Docs/FakeMessagesAPI.md for options, magic words, script lines and the record format.
import Foundation
import Glibc

signal(SIGPIPE, SIG_IGN)
let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let server = Server(options: options)
let port = server.bind()
let portLine = Array("PORT=\(port)\n".utf8)
_ = portLine.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
server.log("listening on 127.0.0.1:\(port)")

if options.exitOnStdinEOF {
    let watcher = Thread {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            exit(0)
        }
    }
    watcher.start()
}

server.acceptLoop()
