import Foundation

import Glibc

/// One step of stopping a child process.
enum TeardownStep: Equatable, Sendable {
    /// EOF on stdin: the CLI flushes its session file and leaves by itself.
    case closeStdin
    /// Wait this long for the process to be reaped; the sequence ends early when it is.
    case awaitExit(Duration)
    /// Send a signal to the whole process group.
    case signalGroup(Int32)
    /// Kill every process carrying the child's sweep token.
    case sweepDescendants

    /// Parley's teardown: close stdin, wait `grace`, SIGTERM the group, wait `termGrace`,
    /// SIGKILL the group and sweep.
    static func sequence(grace: Duration, termGrace: Duration) -> [TeardownStep] {
        [.closeStdin, .awaitExit(grace), .signalGroup(SIGTERM), .awaitExit(termGrace),
         .signalGroup(SIGKILL), .sweepDescendants]
    }
}

extension ChildProcess {
    /// Starts the teardown sequence (``TeardownStep/sequence(grace:termGrace:)``) on a thread
    /// of its own, so that it runs on time however busy the cooperative pool is. The exit
    /// arrives on ``output`` as usual.
    func beginTermination(grace: Duration, termGrace: Duration = .seconds(2)) {
        run(TeardownStep.sequence(grace: grace, termGrace: termGrace))
    }

    /// Runs `steps` in order on a thread of its own. Closing stdin there still puts the EOF
    /// after everything written before this call (``StdinWriter`` keeps the order).
    func run(_ steps: [TeardownStep]) {
        let thread = Thread { [self] in
            for step in steps {
                switch step {
                case .closeStdin:
                    closeStdin()
                case .awaitExit(let timeout):
                    if exited.wait(timeout: .now() + timeout.dispatchInterval) == .success { return }
                case .signalGroup(let signalNumber):
                    signal(signalNumber, toGroup: true)
                case .sweepDescendants:
                    if let sweepToken { DescendantSweeper.killAll(token: sweepToken) }
                }
            }
        }
        thread.name = "parley.child.\(pid).teardown"
        thread.start()
    }
}
