import Testing
@testable import QuickstepJSON

/// `JSONObject.sameKey` compares the words of inline ("small") strings before their bytes: it must agree with a
/// byte-for-byte comparison of UTF-8 for every kind of string, inline or not, ASCII or not, whatever its storage.
@Suite struct JSONObjectKeyTests {
    /// Strings of every shape: empty, short ASCII, short non-ASCII (precomposed and combining forms, which are
    /// different keys), exactly 15 and 16 bytes (the inline limit and one past it), long; and two pairs that Swift's
    /// `==` calls equal but whose code points differ in order, of one length (two combining marks, canonically
    /// reordered), short and long: different keys to AWS, which compares code points.
    static let texts = ["", "a", "b", "ab", "abc", "tier", "note", "blocked", "country", "created", "héllo", "é",
                        "e\u{301}", "日本語", "🙂", "123456789012345", "123456789012346", "1234567890123456",
                        String(repeating: "k", count: 40), String(repeating: "k", count: 39) + "j",
                        "a\u{301}\u{316}", "a\u{316}\u{301}",
                        "inventory-a\u{301}\u{316}-available", "inventory-a\u{316}\u{301}-available"]

    /// Each text also in native storage of its own (a reserved capacity keeps even a short string out of line),
    /// so equal keys come in different representations.
    static func variants(_ text: String) -> [String] {
        var stored = String()
        stored.reserveCapacity(64)
        stored.append(text)
        let rebuilt = String(decoding: Array(text.utf8), as: UTF8.self)
        return [text, stored, rebuilt, String(Substring(text))]
    }

    /// The layout the comparison relies on: a string of up to 15 UTF-8 bytes made from a literal is inline, one in
    /// reserved storage is not, and the small bit tells them apart. If Swift ever changes its string layout, this
    /// fails before any lookup goes wrong.
    @Test func smallBitTellsInlineStringsApart() {
        func words(_ text: String) -> (UInt64, UInt64) { unsafeBitCast(text, to: (UInt64, UInt64).self) }
        for text in Self.texts {
            #expect(JSONObject.isSmall(words(text)) == (text.utf8.count <= 15), "\(text.debugDescription)")
            #expect(!JSONObject.isSmall(words(Self.variants(text)[1])), "\(text.debugDescription)")
        }
    }

    @Test func sameKeyAgreesWithTheBytes() {
        let all = Self.texts.flatMap(Self.variants)
        for a in all {
            for b in all {
                #expect(JSONObject.sameKey(a, b) == Array(a.utf8).elementsEqual(Array(b.utf8)), "\(a.debugDescription) vs \(b.debugDescription)")
            }
        }
    }

    /// Large objects (past ``JSONObject/indexThreshold``, looked up through a hash index) keep keys apart by their
    /// bytes too: two spellings that Swift's `==` calls equal are two members, parsed or set, and each finds its own.
    @Test func largeObjectsKeepCanonicallyEquivalentKeysApart() throws {
        let first = "a\u{301}\u{316}", second = "a\u{316}\u{301}"
        let filler = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let parsed = try JSONParser.parse(#"{\#(filler),"\#(first)":"first","\#(second)":"second"}"#)
        guard case .object(let object) = parsed else { Issue.record("not an object"); return }
        #expect(object.count == 22)
        #expect(object[first] == "first")
        #expect(object[second] == "second")
        var built = object
        built[second] = "replaced"
        #expect(built[first] == "first")
        #expect(built[second] == "replaced")
        #expect(built.count == 22)
    }

    /// Lookups find keys stored out of line and inline alike.
    @Test func lookupsFindKeysInAnyStorage() {
        for text in Self.texts {
            for stored in Self.variants(text) {
                var object: JSONObject = ["other": 0]
                object[stored] = 1
                for probe in Self.variants(text) { #expect(object[probe] == 1, "\(text.debugDescription)") }
            }
        }
    }
}
