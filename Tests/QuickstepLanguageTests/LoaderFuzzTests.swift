import Testing
import QuickstepJSON
import QuickstepLanguage
import QuickstepTestSupport

/// Feeds the loader mutated definitions (values swapped for values of other types, members dropped, strings
/// mangled, bytes flipped) and checks that it always answers, with a model or with diagnostics, never a crash.
@Suite struct LoaderFuzzTests {
    static let seeds: [String] = TestData.caseNames.enumerated().filter { $0.offset % 7 == 0 }.map(\.element)

    @Test func mutatedDefinitionsNeverCrash() throws {
        var random = SplitMix64(seed: 0x5EED)
        var loaded = 0
        var rejected = 0
        for name in Self.seeds {
            let bytes = try TestData.bytes(TestData.conformanceCases.appendingPathComponent("\(name)/definition.json"))
            let definition = try JSONParser.parse(bytes)
            for _ in 0..<20 {
                let mutated = mutate(definition, random: &random, depth: 0)
                switch DefinitionLoader.load(mutated) {
                case .success: loaded += 1
                case .failure(let invalid):
                    rejected += 1
                    #expect(!invalid.diagnostics.isEmpty)
                    #expect(invalid.diagnostics.allSatisfy { $0.location.hasPrefix("/") })
                }
            }
            // Byte-level damage must give a diagnostic, never a crash.
            var damaged = bytes
            for _ in 0..<3 where !damaged.isEmpty {
                damaged[Int(random.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = DefinitionLoader.validate(damaged)
        }
        // The mutations must exercise both outcomes, or the test is not testing the loader.
        #expect(loaded > 0)
        #expect(rejected > 0)
    }

    func mutate(_ value: JSONValue, random: inout SplitMix64, depth: Int) -> JSONValue {
        let roll = random.next() % 100
        switch value {
        case .object(var object) where !object.isEmpty:
            let position = Int(random.next() % UInt64(object.count))
            let key = object.member(at: position).key
            if roll < 8 {
                object.removeValue(forKey: key)
            } else if roll < 16 {
                object[key] = replacement(random: &random)
            } else if roll < 20 {
                object[key + "X"] = object[key]
            } else {
                object[key] = mutate(object[key]!, random: &random, depth: depth + 1)
            }
            return .object(object)
        case .array(var elements) where !elements.isEmpty:
            let position = Int(random.next() % UInt64(elements.count))
            if roll < 10 {
                elements.remove(at: position)
            } else {
                elements[position] = mutate(elements[position], random: &random, depth: depth + 1)
            }
            return .array(elements)
        case .string(let text) where roll < 50:
            let mangles = ["", "$", "$.", "$[", "States.Format(", "{% $x %}", text + "(", "$$.", String(text.reversed()), "*\\"]
            return .string(mangles[Int(random.next() % UInt64(mangles.count))])
        default:
            return roll < 30 ? replacement(random: &random) : value
        }
    }

    func replacement(random: inout SplitMix64) -> JSONValue {
        let values: [JSONValue] = [nil, true, false, 0, -1, 1.5, 1e300, "", "x", "$.a", [], [1], [:], ["Next": "A"]]
        return values[Int(random.next() % UInt64(values.count))]
    }
}

