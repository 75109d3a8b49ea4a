import Testing
@testable import QuickstepJSON

/// `JSONValue.unsafeMember` reads a member where it lies in the object's storage: it must find what subscripting
/// finds, in every kind of value and from every hint, and point at the very value stored there.
@Suite struct JSONValueInPlaceTests {
    static let object: JSONValue = [
        "a": 1, "text": "a string longer than fifteen bytes", "nested": ["x": [1, 2]], "null": nil, "flag": true,
    ]

    @Test func findsEveryMemberFromEveryHint() throws {
        let members = try #require(Self.object.objectValue)
        for (expectedPosition, member) in members.enumerated() {
            for hint in [-1, 0, 2, 4, 5, 99] {
                let found = Self.object.unsafeMember(member.key, hint: hint)
                #expect(found?.position == expectedPosition, "\(member.key) from \(hint)")
                #expect(found?.value.pointee == member.value, "\(member.key) from \(hint)")
            }
        }
    }

    /// Keys too long to be stored inline are compared by their text, not by their storage: a key made at run time
    /// (another buffer) finds the member; one of the same length that differs does not.
    @Test func longKeysAreComparedByText() {
        let stored = "a key longer than fifteen bytes"
        let object: JSONValue = [.init(stringLiteral: stored): 1, "b": 2]
        let madeAtRunTime = ["a key longer", " than fifteen bytes"].joined()
        #expect(object.unsafeMember(madeAtRunTime, hint: 1)?.position == 0)
        #expect(object.unsafeMember("a key longer than fifteen bytez", hint: 0) == nil)
        #expect(object.unsafeMember("b", hint: 0)?.position == 1)
    }

    /// `JSONValue.payload(of:as:)` reads a case's payload where it lies, which is sound only while the case is kept
    /// in a byte after the payloads and not in spare bits of the payloads themselves: the value is one byte larger
    /// than its largest payload, and every payload read in place equals the payload bound.
    @Test func payloadsReadInPlaceAreThePayloads() {
        let largest = [MemoryLayout<String>.size, MemoryLayout<JSONObject>.size, MemoryLayout<[JSONValue]>.size,
                       MemoryLayout<Int64>.size, MemoryLayout<Double>.size].max()!
        #expect(MemoryLayout<JSONValue>.size == largest + 1)
        let long = "a string longer than fifteen bytes"
        let values: [JSONValue] = ["short", .string(long), ["k": 1], [1, 2], .int(-1), .double(-0.5)]
        for value in values {
            withUnsafePointer(to: value) { pointer in
                switch value {
                case .string(let text): #expect(JSONValue.payload(of: pointer, as: String.self).pointee == text)
                case .object(let object): #expect(JSONValue.payload(of: pointer, as: JSONObject.self).pointee == object)
                case .array(let elements): #expect(JSONValue.payload(of: pointer, as: [JSONValue].self).pointee == elements)
                case .int(let number): #expect(JSONValue.payload(of: pointer, as: Int64.self).pointee == number)
                case .double(let number): #expect(JSONValue.payload(of: pointer, as: Double.self).pointee == number)
                default: Issue.record("unexpected case")
                }
            }
        }
    }

    @Test func missingMembersAndNonObjectsHaveNone() {
        #expect(Self.object.unsafeMember("absent", hint: 0) == nil)
        #expect(Self.object.unsafeMember("A", hint: 0) == nil)
        for value: JSONValue in [nil, true, 1, 1.5, "a", [["a": 1]], [:]] {
            #expect(value.unsafeMember("a", hint: 0) == nil, "\(value.compactText)")
        }
    }

    /// The pointer is into the object's own storage, not into a copy made for the call: the same address from two
    /// copies of the value, and different ones for different members.
    @Test func pointsIntoTheSharedStorage() {
        let copy = Self.object
        let first = Self.object.unsafeMember("nested", hint: 0)?.value
        let second = copy.unsafeMember("nested", hint: 2)?.value
        #expect(first != nil && first == second)
        #expect(first != Self.object.unsafeMember("a", hint: 0)?.value)
    }

    /// Objects past the hash-index threshold are looked up through their index.
    @Test func findsMembersOfIndexedObjects() {
        var large = JSONObject()
        for index in 0..<(JSONObject.indexThreshold * 2) { large["k\(index)"] = .int(Int64(index)) }
        let value = JSONValue.object(large)
        for index in [0, 17, JSONObject.indexThreshold * 2 - 1] {
            let found = value.unsafeMember("k\(index)", hint: 3)
            #expect(found?.position == index)
            #expect(found?.value.pointee == .int(Int64(index)))
        }
    }
}

/// `JSONValue.deepCopy` gives an equal value (same text, key order included) that shares no container and no
/// out-of-line string with the original.
@Suite struct JSONValueDeepCopyTests {
    @Test func copiesAreEqualAndShareNoStorage() {
        let long = "a string longer than fifteen bytes"
        let original: JSONValue = ["b": [1, 2.5, [long: [true, nil]]], "a": .string(long), "n": ["x": "short"]]
        let copy = original.deepCopy()
        #expect(copy.compactText == original.compactText)
        #expect(copy == original)
        /// Every container and every out-of-line string, with its path, in document order.
        func storage(_ value: JSONValue) -> [JSONValue] {
            switch value {
            case .array(let elements): [value] + elements.flatMap(storage)
            case .object(let object): [value] + object.flatMap { storage(.string($0.key)) + storage($0.value) }
            case .string(let text) where text.utf8.count > 15: [value]
            default: []
            }
        }
        let originals = storage(original)
        let copies = storage(copy)
        // The root, the "b" array, the object in it, its long key, the [true, null] array, the long "a" string, "n".
        #expect(originals.count == copies.count)
        #expect(originals.count == 7, "\(originals.map(\.compactText))")
        for (left, right) in zip(originals, copies) {
            if case .string(let a) = left, case .string(let b) = right {
                let sameBytes = a.utf8.withContiguousStorageIfAvailable { x in
                    b.utf8.withContiguousStorageIfAvailable { y in x.baseAddress == y.baseAddress }
                }
                #expect(sameBytes == false)
            } else {
                #expect(!left.isSameContainer(as: right))
                #expect(left.isSameContainer(as: left))
            }
        }
    }
}

/// A parsed document's top-level object, and a deep copy's, has room for ``JSONObject/roomToGrow`` more members, so
/// that a workflow's input gains its first new members without being made again (its first change copies it, with
/// its capacity); nested objects are made to size. The copy a first change makes keeps the room.
@Suite struct RoomToGrowTests {
    func capacity(_ value: JSONValue) -> Int? {
        guard case .object(let object) = value else { return nil }
        return object.members.capacity
    }

    @Test func theTopLevelObjectHasRoomForMoreMembers() throws {
        // Nine members: 9 × 40 bytes of members fill an allocation of the size class above with room for one more
        // at most, so a capacity of 11 or more is the room asked for, not the allocator's rounding.
        let text = #"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"nested":{"x":1}}"#
        for document in [try JSONParser.parse(text), try JSONParser.parse(text).deepCopy()] {
            let count = document.objectValue?.count ?? 0
            #expect(count == 9)
            // Room for two more, whatever the allocator rounds to (glibc's malloc and jemalloc round differently).
            #expect((capacity(document) ?? 0) >= count + 2)
            // A first new member on a shared copy copies it, room included: the second fits without a new buffer.
            var changed = try #require(document.objectValue)
            changed["i"] = 0
            let afterFirst = capacity(.object(changed))
            changed["tmp"] = ["i": 1]
            #expect(capacity(.object(changed)) == afterFirst)
            #expect((afterFirst ?? 0) >= count + 2)
            #expect(document.objectValue?.count == 9)
        }
    }
}
