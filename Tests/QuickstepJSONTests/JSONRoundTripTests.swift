import Testing
import QuickstepJSON
import QuickstepTestSupport

/// Property test: for random values, parsing the serialized text gives the same value back, in every style.
@Suite struct JSONRoundTripTests {
    @Test(arguments: 0..<8)
    func parseOfSerializeIsIdentity(seed: UInt64) throws {
        var generator = RandomJSON(seed: seed)
        for _ in 0..<250 {
            let value = generator.value(depth: 0)
            let compact = value.compactText
            let parsed = try JSONParser.parse(compact)
            #expect(parsed == value, "\(compact)")
            // Structural identity too: same cases, same key order, same integer/double split.
            #expect(parsed.compactText == compact)
            #expect(try JSONParser.parse(value.prettyText) == value)
            #expect(try JSONParser.parse(value.canonicalText).canonicalText == value.canonicalText)
            // The size check agrees with the text's length on both sides of it.
            let length = compact.utf8.count
            #expect(!value.compactTextExceeds(bytes: length))
            #expect(value.compactTextExceeds(bytes: length - 1))
        }
    }

    /// An array of copies of one container (a Parallel's branches that pass their input on) counts every copy:
    /// the size check walks the first and charges the others what it cost, so 1,000 copies of a 297-byte object
    /// exceed 256 KiB, and the exact length still decides at the boundary.
    @Test func copiesOfOneContainerCountEachTime() throws {
        let item: JSONValue = .object(JSONObject([("text", .string(String(repeating: "x", count: 280))), ("n", 1)]))
        let copies = JSONValue.array(Array(repeating: item, count: 1_000))
        let copiesExceed = copies.compactTextExceeds(bytes: 262_144)
        #expect(copiesExceed, "1,000 copies of a 297-byte object")
        let mixed = JSONValue.array([item, item, .array([item, item]), "s", item, [:], [:], [], []])
        for (name, value) in [("copies", copies), ("mixed", mixed)] {
            let length = value.compactText.utf8.count
            let (fitsExactly, exceedsByOne) = (!value.compactTextExceeds(bytes: length), value.compactTextExceeds(bytes: length - 1))
            #expect(fitsExactly && exceedsByOne, "\(name): \(length) bytes")
        }
    }
}

/// Random JSON values from a seeded generator, so failures reproduce.
struct RandomJSON {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1) }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ bound: Int) -> Int { random.below(bound) }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 4 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .int(Int64(bitPattern: next()) >> Int64(below(64)))
        case 3: return .double(finiteDouble())
        case 4, 5: return .string(string())
        case 6: return .array((0..<below(6)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<below(20) { object[string()] = value(depth: depth + 1) }
            return .object(object)
        }
    }

    mutating func finiteDouble() -> Double {
        switch below(3) {
        case 0: return Double(Int(bitPattern: UInt(next() % 2_000_001))) / 1000 - 1000
        case 1: return Double(next() % 1000) * 0.1
        default:
            while true {
                let number = Double(bitPattern: next())
                if number.isFinite { return number }
            }
        }
    }

    mutating func string() -> String {
        let alphabet: [Unicode.Scalar] = ["a", "b", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}",
                                          "\u{7F}", "é", "€", "\u{FFFF}", "😀", "\u{10FFFF}"]
        var text = ""
        for _ in 0..<below(12) { text.unicodeScalars.append(alphabet[below(alphabet.count)]) }
        return text
    }
}
