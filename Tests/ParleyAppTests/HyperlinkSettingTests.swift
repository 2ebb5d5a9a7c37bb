import Terminal
import Testing
@testable import ParleyApp

/// The `hyperlinks` key of the configuration file (issue 14, point 4).
@Suite struct HyperlinkSettingTests {
    @Test func hyperlinksIsReadAndChecked() throws {
        let fixture = try ConfigurationFixture()
        #expect(try fixture.load("hyperlinks = \"on\"\n").configuration.hyperlinkMode == .on)
        #expect(try fixture.load("hyperlinks = \"off\"\n").configuration.hyperlinkMode == .off)
        #expect(ParleyConfiguration.builtIn.hyperlinkMode == .auto)
        let wrong = try fixture.load("hyperlinks = \"yes\"\n")
        #expect(wrong.configuration.hyperlinkMode == .auto)
        #expect(wrong.diagnostics.map(\.description).joined().contains("\"hyperlinks\" must be one of auto, on, off, not \"yes\""),
                "\(wrong.diagnostics)")
    }
}
