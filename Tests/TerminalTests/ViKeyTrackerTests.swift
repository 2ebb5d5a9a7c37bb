import Testing

@testable import Terminal

@Suite("vi mode tracking")
struct ViKeyTrackerTests {
    @Test func insertKeysEnterInsertModeArgumentsDoNot() {
        var tracker = ViKeyTracker()
        #expect(tracker.mode(after: "b", in: .normal) == .normal)
        #expect(tracker.mode(after: "x", in: .normal) == .normal)
        #expect(tracker.mode(after: "A", in: .normal) == .insert)
        #expect(tracker.mode(after: "r", in: .normal) == .normal)
        #expect(tracker.mode(after: "a", in: .normal) == .normal)  // r's replacement character
        #expect(tracker.mode(after: "a", in: .normal) == .insert)
        #expect(tracker.mode(after: "\u{1B}", in: .insert) == .insert)  // a lone Esc is handled before
    }
}
