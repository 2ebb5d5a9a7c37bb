import Foundation

import Glibc

// parley-bench: measures what Parley costs, each figure against its target and baseline.
// `swift run -c release parley-bench` runs all seven; see Docs/Performance.md.

/// One line of the report.
struct Row {
    var id: String
    var name: String
    var figure: String
    var target: String
    var baseline: String
    /// nil: no target, or reported for information.
    var met: Bool?
    var method: String
}

struct BenchOptions {
    var quick = false
    var only: Set<Int> = Set(1...7)
    var markdown = false
}

func usage(_ status: Int32) -> Never {
    print("""
        usage: swift run -c release parley-bench [--quick] [--only N[,N…]] [--markdown]

          --quick      fewer turns and rounds, a 5 MB instead of a 50 MB reply
          --only N     run only these measurements (1-7, comma-separated)
          --markdown   print the table as Markdown (for Docs/Performance.md)

        1 per-turn cost, real CLI   2 engine overhead   3 rendering throughput   4 startup
        5 keystroke to subprocess   6 idle CPU   7 memory

        For callgrind: --profile-render (a 2 MB reply in 8-byte deltas, in process) and
        --profile-decode (the decode loops alone). PARLEY_BENCH_NO_DECODE=1 leaves the decode
        rows out of (2).
        """)
    exit(status)
}

func parseOptions() -> BenchOptions {
    var options = BenchOptions()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--quick": options.quick = true
        case "--markdown": options.markdown = true
        case "--only":
            guard let value = arguments.next() else { usage(1) }
            options.only = Set(value.split(separator: ",").compactMap { Int($0) }.filter { (1...7).contains($0) })
            if options.only.isEmpty { usage(1) }
        case "-h", "--help": usage(0)
        default: usage(1)
        }
    }
    return options
}

// The rendering benchmark starts parley with this binary as its `claude`.
if Emitter.isRequested { Emitter.run() }

// For callgrind: only the in-process rendering of a 2 MB reply (8-byte deltas).
if CommandLine.arguments.dropFirst().first == "--profile-render" {
    let null = open("/dev/null", O_WRONLY)
    let seconds = RenderBench.renderText(bytes: 2 << 20, delta: 8, console: BufferedConsole(fd: null))
    print("2 MB rendered in \(fmtDuration(seconds))")
    exit(0)
}

// For callgrind: only the protocol layer's decoding and encoding (no processes).
if CommandLine.arguments.dropFirst().first == "--profile-decode" {
    EngineBench.profileDecode()
    exit(0)
}

let options = parseOptions()
signal(SIGPIPE, SIG_IGN)
let bins = Binaries.locate()
guard bins.ensureBuilt() else { exit(1) }
let quick = options.quick
var rows: [Row] = []
let began = monotonicSeconds()

@MainActor func section(_ number: Int, _ title: String, _ body: () -> [Row]) {
    guard options.only.contains(number) else { return }
    log("\(number). \(title) …")
    let start = monotonicSeconds()
    let produced = body()
    rows += produced
    for row in produced { log("   \(row.name): \(row.figure)") }
    log("   (\(fmtDuration(monotonicSeconds() - start)))")
}

var realClaude: String?
if options.only.contains(1) || options.only.contains(4) {
    realClaude = bins.realClaude()
    if realClaude == nil { log("the real claude is not available (scripts/ensure-claude failed): 1 is skipped, 4 uses fake-claude") }
}

section(1, "per-turn cost with the real CLI") {
    guard let realClaude else {
        return [Row(id: "1", name: "real CLI", figure: "not run: no real claude", target: "", baseline: "", met: nil, method: "scripts/ensure-claude")]
    }
    return RealCLIBench.run(bins, claude: realClaude, turns: quick ? 10 : 50, rounds: quick ? 1 : 5, freshTurns: quick ? 5 : 50)
}
section(2, "engine overhead with fake-claude") {
    EngineBench.run(bins, turns: quick ? 300 : 2000, rounds: quick ? 3 : 9, quick: quick)
}
section(3, "rendering throughput") {
    RenderBench.run(bins, megabytes: quick ? 5 : 50, rounds: quick ? 1 : 3)
        + TranscriptBench.run(megabytes: quick ? 10 : 50, rounds: quick ? 1 : 3)
}
section(4, "startup") {
    TerminalBenches.startup(bins, realClaude: realClaude, rounds: quick ? 3 : 7)
}
if options.only.contains(5) || options.only.contains(6) {
    section(options.only.contains(5) ? 5 : 6, options.only.contains(6) ? "keystroke to subprocess, then idle CPU" : "keystroke to subprocess") {
        TerminalBenches.keystrokeAndIdle(bins, keystrokes: quick ? 10 : 30, idleSeconds: quick ? 3 : 10,
                                         runKeys: options.only.contains(5), runIdle: options.only.contains(6))
    }
}
section(7, "memory") {
    MemoryBench.run(bins, turns: quick ? 1000 : 5000)
}

// MARK: Report

func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }

let command = "swift run -c release parley-bench" + CommandLine.arguments.dropFirst().map { " " + $0 }.joined()
if options.markdown {
    print("| # | measurement | figure | target | met | baseline / ratio | method |")
    print("|---|---|---|---|---|---|---|")
    for row in rows {
        let met = row.met.map { $0 ? "yes" : "**no**" } ?? "—"
        print("| \(row.id) | \(cell(row.name)) | \(cell(row.figure)) | \(cell(row.target)) | \(met) | \(cell(row.baseline)) | \(cell(row.method)) |")
    }
} else {
    print("")
    for row in rows {
        let met = row.met.map { $0 ? "MET" : "MISSED" } ?? "—"
        print("[\(row.id)] \(row.name)")
        print("    figure:   \(row.figure)")
        print("    target:   \(row.target.isEmpty ? "—" : row.target)  [\(met)]")
        if !row.baseline.isEmpty { print("    baseline: \(row.baseline)") }
        print("    method:   \(row.method)")
    }
}
print("")
print("machine: \(Machine.cores) cores, \(Machine.cpuModel), \(Machine.memory) RAM, Linux \(Machine.kernel); total \(fmtDuration(monotonicSeconds() - began))")
print("command: \(command)")
