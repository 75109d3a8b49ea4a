import Foundation
import Testing
import QuickstepJSON

/// `StringUTF8` reads a string's bytes from its words: checked against the standard library's own view of the
/// bytes for every form of string the engine meets (parsed, literal, built, bridged through Foundation, sliced).
@Suite struct StringUTF8Tests {
    static func bytes(_ text: String) -> [UInt8] {
        withUnsafePointer(to: text) { pointer in StringUTF8.withBytes(ofStringAt: pointer) { Array($0) } }
    }

    @Test func bytesAreTheStringsOwnInEveryForm() throws {
        var texts: [String] = [
            "", "a", "gold", "fifteen bytes!!", "sixteen bytes!!!", "2024-05-01T12:00:00Z",  // literals: small and large
            "é", "😀😀😀😀", "a\u{301}\u{316}", String(repeating: "€", count: 40),
        ]
        // Built at run time: native storage of every size.
        for count in [0, 1, 7, 8, 14, 15, 16, 17, 31, 64, 1_000] { texts.append(String(repeating: "x", count: count)) }
        texts.append("prefix-" + String(12_345) + "-" + String(repeating: "é", count: count(7)))
        // Parsed from JSON text, as inputs are.
        let parsed = try JSONParser.parse(#"{"short":"US","long":"2024-05-01T12:00:00Z","escaped":"\u00e9\n\ud83d\ude00 and more text"}"#)
        for key in ["short", "long", "escaped"] { texts.append(parsed[key]?.stringValue ?? "missing") }
        // Through Foundation and slices.
        texts.append(NSString(string: "bridged through NSString, long enough to be large").description)
        texts.append(String("a substring of a longer text, large too".dropFirst(2)))
        texts.append(String(decoding: Array("from bytes, and long enough".utf8), as: UTF8.self))
        for text in texts {
            #expect(Self.bytes(text) == Array(text.utf8), "\(text.debugDescription)")
        }
        // The fast paths are taken where they should be: small strings and native ones.
        #expect(StringUTF8.isReadInPlace("US"))
        #expect(StringUTF8.isReadInPlace(String(repeating: "x", count: 40)))
        #expect(StringUTF8.isReadInPlace(parsed["long"]?.stringValue ?? ""))
    }

    /// A count that the optimizer cannot fold, so the string is built at run time.
    private func count(_ value: Int) -> Int { Int(ProcessInfo.processInfo.processIdentifier) % 1 + value }
}
