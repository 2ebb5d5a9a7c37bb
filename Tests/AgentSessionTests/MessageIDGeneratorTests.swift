import Foundation
import Testing
@testable import AgentSession

@Suite struct MessageIDGeneratorTests {
    @Test func idsAreDistinctLowercaseVersion4UUIDs() {
        var generator = MessageIDGenerator()
        var other = MessageIDGenerator()
        var seen = Set<String>()
        for _ in 0..<5000 {
            for id in [generator.next(), other.next()] {
                #expect(UUID(uuidString: id) != nil, "\(id)")
                #expect(id == id.lowercased() && id.utf8.count == 36)
                let characters = Array(id)
                #expect(characters[14] == "4")
                #expect("89ab".contains(characters[19]))
                #expect(seen.insert(id).inserted, "repeated \(id)")
            }
        }
    }

    /// The CLI finds a message for `rewind_conversation` by its uuid's first 24 characters;
    /// ids that shared them made every rewind cut at the session's first prompt.
    @Test func consecutiveIdsDifferInTheirFirst24Characters() {
        var generator = MessageIDGenerator()
        var prefixes = Set<Substring>()
        for _ in 0..<1000 {
            #expect(prefixes.insert(generator.next().prefix(24)).inserted)
        }
    }
}
