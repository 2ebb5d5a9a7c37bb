import StreamJSON
import Terminal
import Testing
@testable import ParleyApp

@Suite struct LineDiffTests {
    func marked(_ old: [String], _ new: [String]) -> [String] {
        LineDiff.lines(old: old, new: new).map { line in
            (line.kind == .context ? " " : line.kind == .removed ? "-" : "+") + line.text
        }
    }

    @Test func equalTextsHaveOnlyContextAndNoHunks() {
        #expect(marked(["a", "b"], ["a", "b"]) == [" a", " b"])
        #expect(LineDiff.hunks(old: ["a", "b"], new: ["a", "b"]).isEmpty)
    }

    @Test func aChangedLineIsRemovedThenAdded() {
        #expect(marked(["a", "b", "c"], ["a", "x", "c"]) == [" a", "-b", "+x", " c"])
    }

    @Test func insertionsAndDeletionsKeepTheLongestCommonLines() {
        #expect(marked(["a", "b", "c", "d"], ["b", "c", "e", "d"]) == ["-a", " b", " c", "+e", " d"])
        #expect(marked([], ["x", "y"]) == ["+x", "+y"])
        #expect(marked(["x", "y"], []) == ["-x", "-y"])
        // Myers' classic example: ABCABBA → CBABAC has an edit distance of 5.
        let old = "ABCABBA".map(String.init), new = "CBABAC".map(String.init)
        let lines = LineDiff.lines(old: old, new: new)
        #expect(lines.count(where: { $0.kind != .context }) == 5)
        #expect(lines.filter { $0.kind != .added }.map(\.text) == old)
        #expect(lines.filter { $0.kind != .removed }.map(\.text) == new)
    }

    @Test func linesAreNumberedInBothTexts() {
        let lines = LineDiff.lines(old: ["a", "b", "c"], new: ["a", "x", "y", "c"])
        #expect(lines.map(\.oldNumber) == [1, 2, nil, nil, 3])
        #expect(lines.map(\.newNumber) == [1, nil, 2, 3, 4])
        #expect(lines.map(\.shownNumber) == [1, 2, 2, 3, 4])
    }

    @Test func hunksKeepThreeLinesOfContextAndMergeWhenClose() {
        let old = (1...20).map { "line \($0)" }
        var new = old
        new[1] = "changed 2"
        new[17] = "changed 18"
        let hunks = LineDiff.hunks(old: old, new: new)
        #expect(hunks.map(\.header) == ["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"])
        #expect(hunks[0].lines.first?.text == "line 1")
        #expect(hunks[1].lines.last?.text == "line 20")
        new = old
        new[5] = "x"
        new[12] = "y"  // six unchanged lines between (2 × context): one hunk, as diff -U3
        #expect(LineDiff.hunks(old: old, new: new).count == 1)
        new[12] = "line 13"
        new[13] = "z"  // seven: two hunks
        #expect(LineDiff.hunks(old: old, new: new).count == 2)
    }

    @Test func unifiedTextMatchesDiffU() {
        let hunks = LineDiff.hunks(old: ["a", "b"], new: ["a", "c"])
        #expect(DiffHunk.unifiedText(hunks) == "@@ -1,2 +1,2 @@\n a\n-b\n+c\n")
        let created = LineDiff.hunks(old: [], new: ["x"])
        #expect(DiffHunk.unifiedText(created) == "@@ -0,0 +1,1 @@\n+x\n")
    }

    @Test func textIsSplitIntoLinesWithoutAPhantomLastLine() {
        #expect(LineDiff.lines(of: "") == [])
        #expect(LineDiff.lines(of: "a\n") == ["a"])
        #expect(LineDiff.lines(of: "a\r\nb") == ["a", "b"])
        #expect(LineDiff.lines(of: "a\n\n") == ["a", ""])
    }

    @Test func aHugeRewriteIsBoundedAndStillCorrect() {
        let old = (0..<3000).map { "old \($0)" }, new = (0..<3000).map { "new \($0)" }
        let lines = LineDiff.lines(old: old, new: new)
        #expect(lines.filter { $0.kind == .removed }.map(\.text) == old)
        #expect(lines.filter { $0.kind == .added }.map(\.text) == new)
    }
}

@Suite struct FileChangeTests {
    let file = "one\ntwo\nthree\nfour\n"

    @Test func anEditIsWorkedOutOnTheWholeFile() throws {
        let change = try #require(FileChange(toolName: "Edit", input: ["file_path": "/p/a.txt", "old_string": "three", "new_string": "3"], before: file))
        #expect(change.kind == .edit && change.lineNumbersKnown)
        #expect(change.newText == "one\ntwo\n3\nfour\n")
        #expect(change.hunks.first?.header == "@@ -1,4 +1,4 @@")
    }

    @Test func anEditThatAlreadyRanIsWorkedOutBackwards() throws {
        let after = "one\ntwo\n3\nfour\n"
        let change = try #require(FileChange(toolName: "Edit", input: ["file_path": "/p/a.txt", "old_string": "three", "new_string": "3"], before: after))
        #expect(change.oldText == file && change.newText == after)
    }

    @Test func aMultiEditAppliesItsEditsInOrder() throws {
        let input: JSONValue = ["file_path": "/p/a.txt", "edits": [
            ["old_string": "one", "new_string": "1"], ["old_string": "four", "new_string": "4", "replace_all": true],
        ]]
        let change = try #require(FileChange(toolName: "MultiEdit", input: input, before: file))
        #expect(change.newText == "1\ntwo\nthree\n4\n")
        #expect(FileChangeRenderer.counts(change.hunks) == (added: 2, removed: 2))
    }

    @Test func withoutTheFileOnlyTheStringsAreCompared() throws {
        let change = try #require(FileChange(toolName: "Edit", input: ["file_path": "/p/a.txt", "old_string": "x", "new_string": "y"], before: nil))
        #expect(!change.lineNumbersKnown)
        #expect(change.oldText == "x" && change.newText == "y")
    }

    @Test func aWriteCreatesOrOverwrites() throws {
        let created = try #require(FileChange(toolName: "Write", input: ["file_path": "/p/n.txt", "content": "a\nb\n"], before: nil))
        #expect(created.kind == .create)
        let overwritten = try #require(FileChange(toolName: "Write", input: ["file_path": "/p/n.txt", "content": "a\nb\n"], before: "a\n"))
        #expect(overwritten.kind == .overwrite && overwritten.oldText == "a\n")
        #expect(FileChange(toolName: "Bash", input: ["file_path": "/x"], before: nil) == nil)
        #expect(FileChange(toolName: "Write", input: ["content": "x"], before: nil) == nil)
    }
}

@Suite struct FileChangeRendererTests {
    let renderer = FileChangeRenderer(width: 60, workingDirectory: "/work/project")

    func change(_ old: String, _ new: String, path: String = "/work/project/Sources/a.swift") -> FileChange {
        FileChange(toolName: "Edit", input: ["file_path": .string(path), "old_string": .string(old), "new_string": .string(new)],
                   before: "let a = 1\nlet b = 2\nlet c = 3\n")!
    }

    @Test func theSummaryNamesThePathRelativeToTheWorkingDirectory() {
        #expect(renderer.summary(change("let b = 2", "let b = 20\nlet bb = 22")) == "Updated Sources/a.swift (+2 -1)")
        #expect(renderer.summary(change("let b = 2", "let b = 20", path: "/elsewhere/a.swift")) == "Updated /elsewhere/a.swift (+1 -1)")
        let created = FileChange(toolName: "Write", input: ["file_path": "/work/project/n.txt", "content": "x\n"], before: nil)!
        #expect(renderer.summary(created) == "Created n.txt (1 line)")
    }

    @Test func diffLinesCarryNumbersMarkersAndColours() {
        let lines = renderer.lines(change("let b = 2", "let b = 20"))
        #expect(lines.map(\.plainText) == [
            "     1   let a = 1", "     2 - let b = 2", "     2 + let b = 20", "     3   let c = 3",
        ])
        #expect(lines[1].fragments.last?.style == .color(.red))
        #expect(lines[2].fragments.last?.style == .color(.green))
        #expect(lines[0].fragments.last?.style == .dim)
    }

    @Test func longDiffsAreCutAndLinesFitTheWidth() {
        let new = (1...40).map { "line \($0) " + String(repeating: "x", count: 80) }.joined(separator: "\n")
        let lines = renderer.lines(change("let b = 2", new))
        #expect(lines.count == 17)
        #expect(lines.last?.plainText == "     … +27 lines (/diff shows all)")
        #expect(lines.allSatisfy { $0.displayWidth <= 60 })
        var whole = renderer
        whole.maximumLines = nil
        #expect(whole.lines(change("let b = 2", new)).count == 43)
    }

    @Test func fileTextIsMadeInertAndTabsBecomeSpaces() {
        let lines = renderer.lines(change("let b = 2", "\u{1B}]0;PWNED\u{07}\tx"))
        let added = lines.map(\.plainText).first { $0.contains("+") } ?? ""
        #expect(!added.contains("\u{1B}") && !added.contains("\t"))
        #expect(added.contains("␛]0;…"))
    }

    @Test func withoutLineNumbersOnlyMarkersAreShown() {
        let unknown = FileChange(toolName: "Edit", input: ["file_path": "/x", "old_string": "a", "new_string": "b"], before: nil)!
        #expect(renderer.lines(unknown).map(\.plainText) == ["     - a", "     + b"])
    }
}
