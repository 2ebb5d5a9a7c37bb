/// One line of a line-by-line comparison, with its numbers in the old and new text (from 1).
struct DiffLine: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case context, removed, added }

    var kind: Kind
    var text: String
    /// The line's number in the old text (context and removed lines).
    var oldNumber: Int?
    /// The line's number in the new text (context and added lines).
    var newNumber: Int?

    /// The number a reader looks for: the new one, or the old one for a removed line.
    var shownNumber: Int { newNumber ?? oldNumber ?? 0 }
}

/// A group of changes with the unchanged lines around them, as in a unified diff
/// (`@@ -oldStart,oldCount +newStart,newCount @@`).
struct DiffHunk: Sendable, Equatable {
    var oldStart: Int
    var oldCount: Int
    var newStart: Int
    var newCount: Int
    var lines: [DiffLine]

    /// The unified-diff header of the hunk.
    var header: String { "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@" }
}

/// A line diff: Myers' O(ND) algorithm on the lines between the common prefix and suffix.
///
/// Pure and bounded: when the texts differ by more than ``maximumEditDistance`` line edits, the
/// middle is reported as removed then added (a correct diff, just not a minimal one), so a huge
/// rewrite never costs more than O(D²) memory or O((N+M)·D) time (and past ``maximumLines`` none).
enum LineDiff {
    /// Line edits beyond which the middle is shown as replaced wholesale.
    static let maximumEditDistance = 1_000
    /// Lines (old and new together, without the common ends) beyond which the middle is shown as
    /// replaced wholesale without searching.
    static let maximumLines = 50_000

    /// The lines of `text`: split at `\n` (a `\r` before it dropped); a final newline does not
    /// start another line, and an empty text has no lines.
    static func lines(of text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        // Split the scalars: "\r\n" is one Character, which a split at "\n" would not cut.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.last == "\r" ? line.dropLast() : line)
        }
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    /// Every line of both texts in order, each marked context, removed or added, numbered.
    static func lines(old: [String], new: [String]) -> [DiffLine] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
              old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = Array(old[prefix..<(old.count - suffix)])
        let newMiddle = Array(new[prefix..<(new.count - suffix)])
        let middle = middleEdits(oldMiddle, newMiddle)

        var result: [DiffLine] = []
        result.reserveCapacity(prefix + suffix + middle.count)
        var oldNumber = 1, newNumber = 1
        func context(_ text: String) {
            result.append(DiffLine(kind: .context, text: text, oldNumber: oldNumber, newNumber: newNumber))
            oldNumber += 1
            newNumber += 1
        }
        for line in old[0..<prefix] { context(line) }
        for edit in middle {
            switch edit {
            case .keep(let index): context(oldMiddle[index])
            case .remove(let index):
                result.append(DiffLine(kind: .removed, text: oldMiddle[index], oldNumber: oldNumber))
                oldNumber += 1
            case .add(let index):
                result.append(DiffLine(kind: .added, text: newMiddle[index], newNumber: newNumber))
                newNumber += 1
            }
        }
        for line in old[(old.count - suffix)...] { context(line) }
        return result
    }

    /// The changes as hunks with up to `context` unchanged lines around each; hunks whose
    /// context would touch are merged. Equal texts have no hunks.
    static func hunks(old: [String], new: [String], context: Int = 3) -> [DiffHunk] {
        let all = lines(old: old, new: new)
        var hunks: [DiffHunk] = []
        var index = 0
        while let firstChange = all[index...].firstIndex(where: { $0.kind != .context }) {
            let start = max(firstChange - context, index)
            var end = firstChange  // last changed line of the hunk
            var scan = firstChange + 1
            while scan < all.count {
                if all[scan].kind != .context { end = scan; scan += 1; continue }
                guard let next = all[scan...].firstIndex(where: { $0.kind != .context }),
                      next - end - 1 <= 2 * context else { break }
                scan = next
            }
            let stop = min(end + context, all.count - 1)
            let lines = Array(all[start...stop])
            let oldLines = lines.filter { $0.kind != .added }
            let newLines = lines.filter { $0.kind != .removed }
            hunks.append(DiffHunk(
                oldStart: oldLines.first?.oldNumber ?? Self.numberBefore(start, in: all, \.oldNumber),
                oldCount: oldLines.count,
                newStart: newLines.first?.newNumber ?? Self.numberBefore(start, in: all, \.newNumber),
                newCount: newLines.count, lines: lines))
            index = stop + 1
        }
        return hunks
    }

    /// The unified-diff convention for an empty side: the number of the line before the hunk.
    private static func numberBefore(_ index: Int, in lines: [DiffLine], _ number: KeyPath<DiffLine, Int?>) -> Int {
        lines[..<index].last(where: { $0[keyPath: number] != nil })?[keyPath: number] ?? 0
    }

    private enum Edit: Equatable {
        case keep(Int), remove(Int), add(Int)
    }

    /// Myers' greedy diff of two line arrays with nothing in common at either end.
    private static func middleEdits(_ old: [String], _ new: [String]) -> [Edit] {
        let n = old.count, m = new.count
        if n == 0 || m == 0 || n + m > maximumLines {
            return (0..<n).map(Edit.remove) + (0..<m).map(Edit.add)
        }
        // Compare small integers, not strings.
        var ids: [String: Int] = [:]
        let a = old.map { line in ids[line] ?? { ids[line] = ids.count; return ids.count - 1 }() }
        let b = new.map { line in ids[line] ?? { ids[line] = ids.count; return ids.count - 1 }() }

        let limit = min(n + m, maximumEditDistance)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // traces[d][k + d] = the furthest x on diagonal k after d edits.
        var traces: [[Int]] = []
        var distance: Int?
        search: for d in 0...limit {
            var row = [Int](repeating: 0, count: 2 * d + 1)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                row[k + d] = x
                if x >= n, y >= m {
                    traces.append(row)
                    distance = d
                    break search
                }
            }
            traces.append(row)
        }
        guard let distance else { return (0..<n).map(Edit.remove) + (0..<m).map(Edit.add) }

        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: distance, to: 0, by: -1) {
            let previous = traces[d - 1]
            func furthest(_ k: Int) -> Int { previous[k + d - 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && furthest(k - 1) < furthest(k + 1))) ? k + 1 : k - 1
            let previousX = furthest(previousK), previousY = previousX - previousK
            while x > previousX, y > previousY { x -= 1; y -= 1; edits.append(.keep(x)) }
            if x == previousX { y -= 1; edits.append(.add(y)) } else { x -= 1; edits.append(.remove(x)) }
        }
        while x > 0, y > 0 { x -= 1; y -= 1; edits.append(.keep(x)) }
        return edits.reversed()
    }
}

extension DiffHunk {
    /// The hunks as unified-diff text: each header, then its lines marked ` `, `-` or `+`.
    static func unifiedText(_ hunks: [DiffHunk]) -> String {
        var text = ""
        for hunk in hunks {
            text += hunk.header + "\n"
            for line in hunk.lines {
                text += (line.kind == .context ? " " : line.kind == .removed ? "-" : "+") + line.text + "\n"
            }
        }
        return text
    }
}
