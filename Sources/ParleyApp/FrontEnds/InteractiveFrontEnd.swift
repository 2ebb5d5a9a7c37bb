import AgentSession
import Terminal

// TEMPORARY: replaced by the libedit front end once the LineEditor lands.
enum InteractiveFrontEnd {
    static func run(session: AgentSession, configuration: ParleyConfiguration, personaName: String, base: LaunchConfiguration,
                    overrides: LaunchOverrides, autoApprove: AutoApprovePolicy, options: AppOptions,
                    capabilities: TerminalCapabilities, paths: ParleyPaths) async -> Int32 {
        ParleyMain.printError("parley: interactive mode is not built yet")
        return 2
    }
}
