import Foundation

/// Command-line options of the fake Messages API server.
struct Options: Sendable {
    var port: UInt16 = 0
    var exitOnStdinEOF = false
    var recordPath: String?
    var scriptPath: String?
    var slowDelay: Double = 0.2
    var chunkSize = 8
    var missingModels: Set<String> = ["x-missing"]
    var cwd: String?
    var quiet = false

    static let usage = """
        usage: fake-messages-api [options]

          --port N              listen on 127.0.0.1:N (default: a free port)
          --exit-on-stdin-eof   exit when stdin reaches EOF (so a dying test harness never leaves it behind)
          --record FILE         append one JSON line per request: {"n","t","method","path","headers","body","kind"}
          --script FILE         JSON lines, one consumed per main conversation request, overriding magic words
          --slow-delay SECONDS  delay between deltas for `mock-slow` (default 0.2)
          --chunk N             characters per text delta (default 8)
          --missing-model NAME  answer 404 not_found_error for this model (repeatable; `x-missing` always)
          --cwd DIR             directory for `mock-write` (default: from the request's system prompt,
                                "Primary working directory: …", else this process's cwd)
          --quiet               no per-request log lines on stderr

        Prints `PORT=<n>` as the first stdout line. See Docs/FakeMessagesAPI.md.
        """

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value(_ name: String) -> String {
            i += 1
            guard i < args.count else { fail("\(name) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--port":
                guard let p = UInt16(value(a)) else { fail("--port needs a number 0-65535") }
                o.port = p
            case "--exit-on-stdin-eof": o.exitOnStdinEOF = true
            case "--record": o.recordPath = value(a)
            case "--script": o.scriptPath = value(a)
            case "--slow-delay":
                guard let d = Double(value(a)), d >= 0 else { fail("--slow-delay needs seconds") }
                o.slowDelay = d
            case "--chunk":
                guard let c = Int(value(a)), c > 0 else { fail("--chunk needs a positive number") }
                o.chunkSize = c
            case "--missing-model": o.missingModels.insert(value(a))
            case "--cwd": o.cwd = value(a)
            case "--quiet": o.quiet = true
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                fail("unknown option \(a)")
            }
            i += 1
        }
        return o
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("fake-messages-api: \(message)\n\(usage)\n".utf8))
        exit(2)
    }
}
