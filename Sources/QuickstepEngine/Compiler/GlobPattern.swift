#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuickstepJSON

/// A `StringMatches` pattern compiled for matching: its pieces (the text between unescaped `*` wildcards, escapes
/// resolved) as UTF-8 bytes laid end to end in memory the pattern owns, with where each piece ends.
///
/// Matching reads the text's bytes once and compares pieces with `memcmp`: the first piece must start the text,
/// the last must end it, and those between are found in order, each as early as it can be (the earliest place
/// leaves the most room for the rest, so a match exists exactly when this finds one). On bytes, because a valid
/// UTF-8 piece can be found in valid UTF-8 text only at a code point boundary, and AWS compares code points, not
/// Unicode characters. (The pieces kept as `String`s were each opened for their bytes on every test: a pattern
/// `U*` took 220 instructions against a two-letter text.)
///
/// A plain value of pointers, part of a ``ChoiceTest``; ``deallocate()`` frees it.
struct GlobPattern {
    /// Every piece's bytes, end to end.
    let bytes: UnsafeMutableBufferPointer<UInt8>
    /// Where each piece ends in ``bytes``; the first starts at 0, each other where the one before ends. A pattern
    /// without a wildcard has one piece.
    let ends: UnsafeMutableBufferPointer<Int>

    /// The pattern whose pieces are `pieces` (at least one; `Loader.matchPattern` splits the text).
    init(pieces: [String]) {
        precondition(!pieces.isEmpty, "a pattern has at least one piece")
        let all = pieces.flatMap { Array($0.utf8) }
        bytes = .allocate(capacity: max(all.count, 1))
        _ = bytes.initialize(from: all)
        var end = 0
        ends = .owned(copying: pieces.map { piece in
            end += piece.utf8.count
            return end
        })
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: String) -> Bool {
        withUnsafePointer(to: text) { StringUTF8.withBytes(ofStringAt: $0, matches) }
    }

    /// Whether the UTF-8 text `text` matches the whole pattern.
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let pattern = UnsafePointer(bytes.baseAddress.unsafelyUnwrapped)
        let subject = text.baseAddress ?? pattern  // an empty text is compared with empty pieces only
        let count = text.count
        let firstEnd = ends[0]
        guard ends.count > 1 else { return count == firstEnd && Self.same(pattern, subject, firstEnd) }
        guard count >= firstEnd, Self.same(pattern, subject, firstEnd) else { return false }
        // `prefix*`, the commonest pattern with a wildcard: the prefix is all there is to match.
        if ends.count == 2, ends[1] == firstEnd { return true }
        var position = firstEnd
        var pieceStart = firstEnd
        for piece in 1..<(ends.count - 1) {
            let pieceEnd = ends[piece]
            let length = pieceEnd - pieceStart
            if length > 0 {
                guard let found = Self.find(pattern + pieceStart, length, in: subject, count, from: position) else { return false }
                position = found + length
            }
            pieceStart = pieceEnd
        }
        let lastLength = ends[ends.count - 1] - pieceStart
        return count - position >= lastLength && Self.same(pattern + pieceStart, subject + (count - lastLength), lastLength)
    }

    /// Frees the pattern; called once, by the test that owns it.
    func deallocate() {
        bytes.deallocate()
        ends.freeOwned()
    }

    /// Whether `length` bytes at `a` and at `b` are the same: a few compared here, more by `memcmp` (a call for a
    /// piece of one byte, `U*`'s, was a third of a match).
    @inline(__always)
    private static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length > 4 else {
            for offset in 0..<length where a[offset] != b[offset] { return false }
            return true
        }
        return memcmp(a, b, length) == 0
    }

    /// Where the `length` bytes at `needle` first lie in the `count` bytes at `text`, at or after `start`.
    private static func find(
        _ needle: UnsafePointer<UInt8>, _ length: Int, in text: UnsafePointer<UInt8>, _ count: Int, from start: Int
    ) -> Int? {
        guard length <= count - start else { return nil }
        for offset in start...(count - length) where text[offset] == needle[0] && same(needle, text + offset, length) {
            return offset
        }
        return nil
    }
}
