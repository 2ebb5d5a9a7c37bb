import Conversations
import Foundation
import Testing

/// Listing, finding and naming conversations on disk, in a temporary HOME.
struct ConversationStoreTests {
    final class Home {
        let path = NSTemporaryDirectory() + "conv-store-\(UUID().uuidString)"
        let work: String
        init() {
            work = path + "/my.project_dir"
            try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        var store: ConversationStore { ConversationStore(home: path, workingDirectory: work) }

        /// Puts a fixture there as `id`, with `cwd` rewritten to `directory`, last written `age` seconds ago.
        func add(_ fixture: String, id: String, directory: String? = nil, age: TimeInterval) throws {
            let directory = directory ?? work
            let text = String(decoding: try TranscriptParserTests.fixture(fixture), as: UTF8.self)
                .replacingOccurrences(of: "/work/project", with: directory)
            let folder = path + "/.claude/projects/" + ConversationStore.folderName(for: directory)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "/\(id).jsonl"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: file)
        }
    }

    @Test func theFolderNameReplacesEveryCharacterButLettersAndDigits() {
        #expect(ConversationStore.folderName(for: "/tmp/convx/we.ird_dir x") == "-tmp-convx-we-ird-dir-x")
    }

    @Test func listsNewestFirstWithNamesAndFindsByPrefix() throws {
        let home = Home()
        try home.add("plain.jsonl", id: "aaaa1111-0000", age: 300)
        try home.add(TranscriptParserTests.branchedID + ".jsonl", id: "bbbb2222-0000", age: 10)
        try home.add("corrupt.jsonl", id: "cccc3333-0000", age: 100)
        let listing = ConversationListing(store: home.store, names: ["aaaa1111-0000": "my name"])
        #expect(listing.items.map(\.entry.sessionID) == ["bbbb2222-0000", "cccc3333-0000", "aaaa1111-0000"])
        #expect(listing.items.map(\.name) == ["Terminal titles", nil, "my name"])
        guard case .failure(let error) = listing.items[1].transcript else { Issue.record("corrupt file read"); return }
        #expect(error.description == "conversation cccc3333 cannot be read: the transcript is corrupt (line 5 is not JSON)")
        #expect(try listing.item(3).entry.sessionID == "aaaa1111-0000")
        #expect(throws: ConversationError.outOfRange(4, count: 3)) { try listing.item(4) }
        #expect(try home.store.find("bbbb").sessionID == "bbbb2222-0000")
        #expect(throws: ConversationError.unknown("dddd")) { try home.store.find("dddd") }
    }

    @Test func aConversationOfAnotherDirectoryIsNamedAsSuch() throws {
        let home = Home()
        try home.add("plain.jsonl", id: "eeee5555-0000", directory: "/elsewhere/x", age: 1)
        #expect(throws: ConversationError.otherDirectory(sessionID: "eeee5555-0000", directory: "/elsewhere/x")) {
            try home.store.find("eeee5555")
        }
        #expect(ConversationListing(store: home.store, names: [:]).items.isEmpty)
    }

    @Test func namesAreKeptInAPrivateFileWrittenAtomically() throws {
        let home = Home()
        let names = ConversationNames(path: home.path + "/state/parley/conversation-names.json")
        #expect(names.all().isEmpty)
        try names.setName("first", for: "id-1")
        try names.setName("second", for: "id-2")
        #expect(names.name(of: "id-1") == "first")
        #expect(names.all().count == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: names.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path + "/state/parley") == ["conversation-names.json"])
    }

    @Test func aPrivateFileIsNotReplacedUnlessAsked() throws {
        let home = Home()
        let path = home.path + "/out.md"
        try PrivateFile.write("one", to: path, replacing: false)
        #expect(throws: PrivateFile.WriteError(path: path, reason: "it already exists")) {
            try PrivateFile.write("two", to: path, replacing: false)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).sorted() == ["my.project_dir", "out.md"])
    }
}
