import Testing
@testable import QuickstepJSON

/// `JSONObject.Members` keeps an object's members in a block of its own (`JSONObject.Storage`), copied on the first
/// change to a shared one, grown by moving, and emptied by its `deinit`: copies must never see each other's changes,
/// and every member must be released exactly once.
@Suite struct JSONObjectStorageTests {
    /// Readers in place find the header and the members at offsets computed from the layout; they must be where
    /// `ManagedBuffer` put them.
    @Test func offsetsAreWhereManagedBufferPutsTheParts() {
        let storage = JSONObject.Storage.make(capacity: 3)
        let start = UnsafeRawPointer(Unmanaged.passUnretained(storage).toOpaque())
        let header = storage.withUnsafeMutablePointerToHeader { UnsafeRawPointer($0) }
        let entries = storage.withUnsafeMutablePointerToElements { UnsafeRawPointer($0) }
        #expect(header - start == JSONObject.Storage.headerOffset)
        #expect(entries - start == JSONObject.Storage.entriesOffset)
    }

    /// A copy shares the block until either side changes; each change (a new value, a new member, a removal)
    /// leaves the other side as it was.
    @Test func copiesAreIndependentOnceChanged() {
        let original: JSONObject = ["a": 1, "b": "a string longer than fifteen bytes", "c": [1, 2]]
        var changed = original
        #expect(changed.members.sharesStorage(with: original.members))
        changed["a"] = 2
        #expect(!changed.members.sharesStorage(with: original.members))
        var appended = original
        appended["d"] = true
        var removed = original
        removed["b"] = nil
        #expect(original == ["a": 1, "b": "a string longer than fifteen bytes", "c": [1, 2]])
        #expect(original.keys == ["a", "b", "c"])
        #expect(changed == ["a": 2, "b": "a string longer than fifteen bytes", "c": [1, 2]])
        #expect(appended.keys == ["a", "b", "c", "d"])
        #expect(removed.keys == ["a", "c"])
        #expect(removed["c"] == [1, 2])
    }

    /// An object that grows past its capacity keeps every member, in order, whether its block was its own (moved)
    /// or shared (copied).
    @Test func growingKeepsEveryMember() {
        var object = JSONObject(minimumCapacity: 1)
        var shared: [JSONObject] = []
        for position in 0..<40 {
            object["key number \(position) of the test"] = .string("value number \(position) of the test")
            if position % 7 == 0 { shared.append(object) }
        }
        #expect(object.count == 40)
        for (position, member) in object.enumerated() {
            #expect(member.key == "key number \(position) of the test")
            #expect(member.value == .string("value number \(position) of the test"))
        }
        for (round, copy) in shared.enumerated() { #expect(copy.count == round * 7 + 1) }
    }

    /// Freeing an object releases its members: an array held by an object that is gone is again its holder's
    /// alone, so changing it keeps its storage (a leaked reference would make the change copy it). The same after
    /// growth by moving, where the old block must release nothing, and after a copy made by a change, which must
    /// retain what it copies (members with a long key or a container value; the rest are copied as bytes).
    @Test func freeingAnObjectReleasesItsMembers() {
        var elements: [JSONValue] = [1, 2, 3]
        let before = elements.withUnsafeBufferPointer { $0.baseAddress }
        do {
            var object = JSONObject(minimumCapacity: 1)
            object["elements"] = .array(elements)
            object["a key longer than fifteen bytes"] = .array(elements)
            for position in 0..<10 { object["k\(position)"] = .int(Int64(position)) }  // grows by moving
            var changedCopy = object
            changedCopy["k0"] = "changed"
            #expect(changedCopy["a key longer than fifteen bytes"] == .array(elements))
            #expect(object["elements"] == .array(elements))
            #expect(object["k0"] == 0)
        }
        elements[0] = 9
        #expect(elements.withUnsafeBufferPointer { $0.baseAddress } == before)
    }
}
