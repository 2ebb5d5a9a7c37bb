import Foundation
import StreamJSON

#if canImport(Glibc)
import Glibc
#endif

/// The process side of ``AgentSession``: performing the machine's actions, spawning, the
/// output pump, and the timers (restart backoff, interrupt grace, control deadlines, stall
/// checks), all on the session's ``SessionOptions/clock``.
extension AgentSession {
    // MARK: Actions

    func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .spawn(let mode):
                spawn(mode)
            case .write(let message):
                child?.write(message.encodedLine())
            case .stopProcess:
                guard let child else { continue }
                // Ask the CLI to end a running turn first, so that stdin EOF lets it exit at once.
                child.write(OutgoingMessage.controlRequest(requestID: "parley-stop", .interrupt).encodedLine())
                child.beginTermination(grace: options.terminateGrace)
            case .signalInterrupt:
                child?.signal(SIGINT)
            case .scheduleRestart(let attempt, let delay):
                after(delay) { $0.perform($0.machine.handle(.restartTimerFired(attempt: attempt))) }
            case .scheduleInterruptTimeout(let messageID):
                after(options.interruptGrace) { $0.perform($0.machine.handle(.interruptTimedOut(messageID: messageID))) }
            case .emit(let event):
                emit(event)
            }
        }
        // An interrupt's result and a stopping process's exit never wait for the screen.
        switch machine.phase {
        case .interrupting, .stopping: eventFlow?.setBypassed(true)
        default: eventFlow?.setBypassed(false)
        }
        resumeSettledWaitersIfNeeded()
    }

    /// Runs `work` on the session after `delay` on its clock (unless the session is gone).
    private func after(_ delay: Duration, _ work: @escaping @Sendable (isolated AgentSession) -> Void) {
        let clock = self.clock
        Task { [weak self] in
            await clock.sleep(for: delay)
            guard let self else { return }
            await self.run(work)
        }
    }

    private func run(_ work: @Sendable (isolated AgentSession) -> Void) {
        work(self)
    }

    /// Fails the control request `id` if it is still unanswered after `timeout`; an
    /// unanswered `initialize` fails the session.
    func scheduleDeadline(of id: String, after timeout: Duration, isInitialize: Bool = false) {
        after(timeout) { session in
            if isInitialize {
                guard session.controls.timeOut(id, with: { _ in .initializeTimedOut(after: timeout) }) else { return }
                session.perform(session.machine.handle(.initializeTimedOut(after: timeout)))
            } else {
                session.controls.timeOut(id) { .controlRequestTimedOut(subtype: $0, after: timeout) }
            }
        }
    }

    // MARK: Events

    /// Puts an event on ``events``: with ``put(_:)``, the one place that does, so every event
    /// is counted.
    func emit(_ event: SessionEvent) {
        put(event)
        continuation.yield(event)
        if case .turnStarted = event { watchTurn() }
        if case .closed = event {
            continuation.finish()
            eventFlow?.release()
        }
    }

    private func put(_ event: SessionEvent) {
        emittedEventCount += 1
        eventFlow?.emitted()
    }

    /// Puts the events of one stdout chunk on the stream together, so that a consumer
    /// waiting for them is woken once per chunk, not once per event; then performs the rest.
    private func apply(_ output: ChunkProcessor.Output) {
        for event in output.events { put(event) }
        for event in output.events { continuation.yield(event) }
        if let lastMessage = output.lastMessage {
            watchdog?.activity(at: clock.now, lastEvent: lastMessage)
        }
        if output.startedTurn { watchTurn() }
        for reply in output.replies { child?.write(reply.encodedLine()) }
        for response in output.controlResponses { resolve(response) }
        // Always, even without actions: the machine may have changed phase (gate bypass, settled).
        perform(output.actions)
    }

    private func resolve(_ response: ControlResponse) {
        guard let answered = controls.resolve(response) else { return }
        let initialize = InitializeRequest()
        guard answered.subtype == initialize.subtype, let learned = try? initialize.decode(answered.body) else { return }
        capabilities = learned
        emit(.capabilitiesLearned(learned))
    }

    // MARK: The process

    private func spawn(_ mode: LaunchConfiguration.StartMode) {
        let executable: String
        let newChild: ChildProcess
        do {
            executable = try configuration.resolveExecutable()
            newChild = try ChildProcess.spawn(
                executable: executable, arguments: configuration.arguments(for: mode),
                environment: configuration.childEnvironment(), workingDirectory: configuration.workingDirectory,
                sweepToken: DescendantSweeper.makeToken())
        } catch {
            perform(machine.handle(.spawnFailed(error)))
            return
        }
        generation += 1
        child = newChild
        processor = ChunkProcessor()
        stderrTail.reset()
        processStartedAt = .now
        let resumed: String? = switch mode {
        case .initial: configuration.resumeSessionID
        case .resume(let id): id
        case .fresh: nil
        }
        emit(.processStarted(pid: newChild.pid, resumedSessionID: resumed))
        let currentGeneration = generation
        let flow = eventFlow
        Task { [weak self] in
            for await output in newChild.output {
                guard let self else { newChild.chunkProcessed(); continue }
                let holdBack = await self.receive(output, generation: currentGeneration)
                // The next chunk only once the front end has caught up (with a gate), except
                // while the process is being stopped: then its output is drained unread.
                if holdBack { await flow?.waitForConsumer() }
                newChild.chunkProcessed()
            }
        }
        if options.sendInitialize {
            let (id, line) = controls.begin(InitializeRequest().body, completion: nil)
            newChild.write(line)
            scheduleDeadline(of: id, after: options.initializeTimeout, isInitialize: true)
        }
        perform(machine.handle(.spawned))
    }

    /// Handles one piece of the process's output; returns whether the next one should wait
    /// for the consumer of ``events`` (a stdout chunk of a process that is not being stopped).
    private func receive(_ output: ChildOutput, generation: Int) -> Bool {
        guard generation == self.generation else { return false }
        switch output {
        case .stdout(let bytes):
            // Once Parley has asked the process to stop, its remaining output has no reader:
            // drain it without framing so that teardown never waits on a flood.
            if case .stopping = machine.phase { return false }
            let result = bytes.withUnsafeBufferPointer { processor.process($0, machine: &machine) }
            apply(result)
            return true
        case .stderr(let bytes):
            stderrTail.append(bytes)
        case .exited(let status):
            apply(processor.finish(machine: &machine))
            child = nil
            processStartedAt = nil
            controls.failAll()
            perform(machine.handle(.childExited(status, stderrTail: stderrTail.lines)))
        }
        return false
    }

    // MARK: Stall watchdog

    /// A turn started: silence counts from now, and a watchdog loop runs while it lasts.
    /// The loop is not cancelled when the turn ends: a cancelled `Task.sleep` keeps its timer,
    /// and the task with it, until the original deadline, which grew memory by about 870 B per
    /// turn at benchmark speed. At its next check it finds no turn running and ends; a turn
    /// that starts before then reuses it, so at most one loop ever exists.
    private func watchTurn() {
        guard let interval = watchdog?.checkInterval else { return }
        watchdog?.turnStarted(at: clock.now)
        guard !watchdogRunning else { return }
        watchdogRunning = true
        let clock = self.clock
        Task { [weak self] in
            while true {
                await clock.sleep(for: interval)
                guard let self, await self.checkStall() else { return }
            }
        }
    }

    /// One watchdog check; returns false when the loop should end.
    private func checkStall() -> Bool {
        guard var dog = watchdog else { return false }
        let verdict = dog.check(at: clock.now, turnRunning: machine.isBusy, outputHeld: eventFlow?.isHolding == true)
        watchdog = dog
        switch verdict {
        case .stop:
            watchdogRunning = false
            return false
        case .keepWatching:
            return true
        case .stalled(let silentFor, let lastEvent):
            emit(.stalled(silentFor: silentFor, lastEvent: lastEvent))
            if options.stallAction == .interrupt, let message = machine.currentMessage {
                perform(machine.handle(.stallTimedOut(messageID: message.id)))
            }
            return true
        }
    }
}
