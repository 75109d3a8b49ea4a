import QuickstepTestSupport
import Testing
@testable import QuickstepEngine

/// `StringMatches` patterns compiled to bytes (`GlobPattern`), checked against the specification's meaning: `*`
/// stands for any run of characters, possibly empty; everything else matches itself, code point for code point.
@Suite struct GlobPatternTests {
    /// The meaning itself, by recursion on code points: the reference the compiled pattern must agree with.
    static func reference(_ pieces: [[Unicode.Scalar]], _ text: [Unicode.Scalar]) -> Bool {
        guard let first = pieces.first else { return text.isEmpty }
        guard text.starts(with: first) else { return false }
        let rest = Array(text.dropFirst(first.count))
        if pieces.count == 1 { return rest.isEmpty }
        // A wildcard follows the first piece: it takes 0...rest.count code points.
        return (0...rest.count).contains { reference(Array(pieces.dropFirst()), Array(rest.dropFirst($0))) }
    }

    /// Random patterns and texts over a small alphabet of one-, two- and four-byte characters (so pieces
    /// recur, overlap and sit at the text's ends): the compiled pattern says what the recursion says.
    @Test func randomPatternsMatchAsTheSpecificationReads() {
        let alphabet: [Unicode.Scalar] = ["a", "é", "😀"]
        var random = SplitMix64(seed: 11)
        func word(_ longest: Int) -> [Unicode.Scalar] { (0..<random.below(longest + 1)).map { _ in alphabet[random.below(alphabet.count)] } }
        var matched = 0
        for _ in 0..<3_000 {
            let pieces = (0..<(1 + random.below(4))).map { _ in word(2) }
            let text = word(6)
            let pattern = GlobPattern(pieces: pieces.map { String(String.UnicodeScalarView($0)) })
            defer { pattern.deallocate() }
            let expected = Self.reference(pieces, text)
            #expect(pattern.matches(String(String.UnicodeScalarView(text))) == expected, "\(pieces) \(text)")
            if expected { matched += 1 }
        }
        // Both outcomes are exercised, often.
        #expect(matched > 300 && matched < 2_700, "\(matched) of 3,000 matched")
    }

    /// Hand-picked cases: the ends anchor, pieces may not overlap, an empty pattern matches only empty text.
    @Test func piecesAnchorAndDoNotOverlap() {
        func matches(_ pieces: [String], _ text: String) -> Bool {
            let pattern = GlobPattern(pieces: pieces)
            defer { pattern.deallocate() }
            return pattern.matches(text)
        }
        #expect(matches(["U", ""], "US"))            // U*
        #expect(!matches(["U", ""], "AUS"))
        #expect(matches(["", "log"], "catalog"))     // *log
        #expect(!matches(["ab", "ba"], "aba"))       // ab*ba: the pieces would share the middle "b"
        #expect(matches(["ab", "ba"], "abba"))
        #expect(matches(["a", "b", "c"], "axbyc"))   // a*b*c
        #expect(!matches(["a", "b", "c"], "axcyb"))
        #expect(matches([""], ""))                   // the empty pattern
        #expect(!matches([""], "x"))
        #expect(matches(["", ""], ""))               // *
        #expect(matches(["", ""], "anything"))
        #expect(matches(["x*y"], "x*y"))             // an escaped star is a piece's own character
        #expect(!matches(["x*y"], "xzy"))
    }
}
