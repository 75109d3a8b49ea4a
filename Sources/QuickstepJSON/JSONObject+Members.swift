/// An object's member storage: one allocation of the members in order, shared between copies and copied on the
/// first change to a shared one, as an array is.
///
/// Not `[Entry]`: the standard library's array storage is a generic class compiled into the standard library, so
/// its `deinit` destroys the members through the runtime's generic `swift_arrayDestroy` (looking up and calling
/// `Entry`'s value witness member by member), a copy goes through `swift_arrayInitWithCopy` the same way, and each
/// growth asks `malloc_usable_size` for the block's real size. In choice_heavy, where every execution copies its
/// input once, builds three one-member objects and frees them all, that was 3,500 of 18,450 instructions per
/// execution. ``Storage`` is a class of this module: its `deinit` and its copies are loops compiled for `Entry`, and
/// it keeps the capacity it was made with in its header (choice_heavy 18,452 -> 17,801, map_100x3 51,624 -> 51,099).
///
/// ``Members`` is `@_eagerMove`, as `Array` is: a type whose class has a `deinit` of its own otherwise keeps its
/// values' lexical lifetimes, and the optimizer stopped moving JSON values where it had (a Map's iteration results
/// were copied and destroyed: map_100x3 went from 51,624 to 80,639 instructions per execution without it).
extension JSONObject {
    /// The count and capacity at the head of a ``Storage``.
    @frozen @usableFromInline struct StorageHeader {
        @usableFromInline var count: Int
        @usableFromInline let capacity: Int

        @inlinable init(count: Int, capacity: Int) {
            self.count = count
            self.capacity = capacity
        }
    }

    /// The heap block of an object's members: a header, then `capacity` places of which the first `count` hold
    /// members.
    @usableFromInline final class Storage: ManagedBuffer<StorageHeader, Entry> {
        /// A block with room for `capacity` members, none there yet.
        @inlinable static func make(capacity: Int) -> Storage {
            let buffer = Storage.create(minimumCapacity: capacity) { _ in StorageHeader(count: 0, capacity: capacity) }
            return unsafeDowncast(buffer, to: Storage.self)
        }

        @inlinable var entries: UnsafeMutablePointer<Entry> { withUnsafeMutablePointerToElements { $0 } }

        /// Where the header lies in the block, from its start: past the object's header (its class and reference
        /// counts, two words), as `ManagedBuffer` lays it out; `JSONObjectStorageTests` checks it against the
        /// pointers `ManagedBuffer` gives.
        @inlinable static var headerOffset: Int {
            roundedUp(2 &* MemoryLayout<Int>.size, toAlignment: MemoryLayout<StorageHeader>.alignment)
        }

        /// Where the members start in the block: past the header.
        @inlinable static var entriesOffset: Int {
            roundedUp(headerOffset &+ MemoryLayout<StorageHeader>.size, toAlignment: MemoryLayout<Entry>.alignment)
        }

        @inlinable static func roundedUp(_ offset: Int, toAlignment alignment: Int) -> Int {
            (offset &+ alignment &- 1) & ~(alignment &- 1)
        }

        /// The header, through a pointer: `ManagedBuffer.header`, a class's stored property, is checked for
        /// exclusive access at run time on every read and write (`swift_beginAccess`, 30 instructions or more).
        @inlinable var head: UnsafeMutablePointer<StorageHeader> { withUnsafeMutablePointerToHeader { $0 } }

        deinit {
            withUnsafeMutablePointers { header, entries in
                for position in 0..<header.pointee.count { Self.destroy(entries + position) }
            }
        }

        /// Destroys the member at `entry`, releasing only what holds a reference: a small key (most keys) or a
        /// scalar value holds none. Destroying the member whole went through `Entry`'s value witness and the
        /// value's outlined destroy, about 45 instructions a member, most of them for nothing.
        @inlinable @inline(__always)
        static func destroy(_ entry: UnsafeMutablePointer<Entry>) {
            let raw = UnsafeMutableRawPointer(entry)
            if !JSONObject.isSmall(raw.load(as: (UInt64, UInt64).self)) {
                raw.assumingMemoryBound(to: String.self).deinitialize(count: 1)  // the key is the first field
            }
            let value = raw.advanced(by: JSONObject.valueOffset).assumingMemoryBound(to: JSONValue.self)
            switch value.pointee {
            case .null, .bool, .int, .double: break
            case .string, .array, .object: value.deinitialize(count: 1)
            }
        }

        /// Makes the member at `target` a copy of the one at `source` (the target is uninitialised): a member with a
        /// small key and a scalar value, which holds no reference, is copied as bytes.
        @inlinable @inline(__always)
        static func copy(_ source: UnsafePointer<Entry>, to target: UnsafeMutablePointer<Entry>) {
            let raw = UnsafeRawPointer(source)
            if JSONObject.isSmall(raw.load(as: (UInt64, UInt64).self)) {
                switch JSONObject.value(ofMemberAt: source).pointee {
                case .null, .bool, .int, .double:
                    UnsafeMutableRawPointer(target).copyMemory(from: raw, byteCount: MemoryLayout<Entry>.size)
                    return
                case .string, .array, .object: break
                }
            }
            target.initialize(to: source.pointee)
        }
    }

    /// The members of an object in order, in a ``Storage`` shared between copies (copy on write). Every object has
    /// a block, an empty one too: with an optional block, every lookup tested it for nil (two instructions, 190 of
    /// choice_heavy's), and empty objects are rare (a shared empty block would be retained and released by every
    /// thread, one cache line written by all of them). Sendable as an array is (`ManagedBuffer` is not, so the compiler
    /// cannot see it): a block that is shared is never written, each change to one copies it first.
    @frozen @_eagerMove @usableFromInline struct Members: RandomAccessCollection, @unchecked Sendable {
        @usableFromInline var storage: Storage

        /// No members, with room for `minimumCapacity`.
        @inlinable init(minimumCapacity: Int = 0) {
            storage = Storage.make(capacity: minimumCapacity)
        }

        @inlinable var startIndex: Int { 0 }
        @inlinable var endIndex: Int { count }
        @inlinable var count: Int { contents.count }
        @inlinable var isEmpty: Bool { count == 0 }
        @inlinable var capacity: Int { storage.head.pointee.capacity }

        /// Where the members lie: valid while this storage lives unchanged.
        @inlinable var baseAddress: UnsafeMutablePointer<Entry> { contents.entries }

        /// Where the members lie and how many there are, read from the storage's address at the offsets of its
        /// header and members (``Storage/headerOffset``), so that no reference is retained.
        @inlinable @inline(__always) var contents: (entries: UnsafeMutablePointer<Entry>, count: Int) {
            let address = UnsafeMutableRawPointer(Unmanaged.passUnretained(storage).toOpaque())
            return ((address + Storage.entriesOffset).assumingMemoryBound(to: Entry.self),
                    (address + Storage.headerOffset).load(as: StorageHeader.self).count)
        }

        /// Whether both are the same storage, so copies of one object. The storages' addresses are compared as
        /// numbers: comparing the references (`===`) retained and released both.
        @inlinable func sharesStorage(with other: Members) -> Bool {
            unsafeBitCast(storage, to: UInt.self) == unsafeBitCast(other.storage, to: UInt.self)
        }

        @inlinable subscript(position: Int) -> Entry {
            @inline(__always) unsafeAddress {
                precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "member position out of range")
                return UnsafePointer(storage.entries + position)
            }
            @inline(__always) unsafeMutableAddress {
                precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "member position out of range")
                if !isKnownUniquelyReferenced(&storage) { reallocate(capacity: capacity) }
                return storage.entries + position
            }
        }

        /// Appends `entry`, growing the storage (or copying it, when shared) first if need be.
        @inlinable mutating func append(_ entry: consuming Entry) {
            let count = self.count
            if !isKnownUniquelyReferenced(&storage) || count == capacity {
                reallocate(capacity: count == capacity ? Swift.max(count &* 2, count &+ 1) : capacity)
            }
            (storage.entries + count).initialize(to: entry)
            storage.head.pointee.count = count &+ 1
        }

        /// Makes the storage this object's own with room for at least `minimumCapacity` members.
        @inlinable mutating func reserveCapacity(_ minimumCapacity: Int) {
            if !isKnownUniquelyReferenced(&storage) || capacity < minimumCapacity {
                reallocate(capacity: Swift.max(minimumCapacity, capacity))
            }
        }

        /// Destroys every member, keeping the storage for new ones, when this object has its storage to itself;
        /// returns false, changing nothing, when the storage is shared.
        @inlinable mutating func removeAllKeepingStorage() -> Bool {
            guard isKnownUniquelyReferenced(&storage) else { return false }
            let (entries, count) = contents
            storage.head.pointee.count = 0
            for position in 0..<count { Storage.destroy(entries + position) }
            return true
        }

        /// Removes and returns the member at `position`; later members move up one place.
        @inlinable mutating func remove(at position: Int) -> Entry {
            precondition(UInt(bitPattern: position) < UInt(bitPattern: count), "member position out of range")
            if !isKnownUniquelyReferenced(&storage) { reallocate(capacity: capacity) }
            let entries = storage.entries
            let removed = (entries + position).move()
            let after = storage.head.pointee.count &- position &- 1
            (entries + position).moveInitialize(from: entries + position + 1, count: after)
            storage.head.pointee.count &-= 1
            return removed
        }

        /// Replaces the storage with a new block of `capacity` (at least the count) holding the same members: moved
        /// when this object had the old block to itself, copied (each member retained) when the block is shared.
        @usableFromInline @inline(never)
        mutating func reallocate(capacity: Int) {
            let count = self.count
            let new = Storage.make(capacity: Swift.max(capacity, count))
            if count > 0 {
                // The old block's members through a pointer: a reference to the block held here would make it
                // shared to the uniqueness test.
                let entries = contents.entries
                if isKnownUniquelyReferenced(&storage) {
                    // Members move bitwise (`String` and `JSONValue` are bitwise movable); the old block then
                    // holds none, so its deinit destroys nothing.
                    UnsafeMutableRawPointer(new.entries).copyMemory(from: entries, byteCount: count &* MemoryLayout<Entry>.stride)
                    storage.head.pointee.count = 0
                } else {
                    for position in 0..<count { Storage.copy(entries + position, to: new.entries + position) }
                }
                new.head.pointee.count = count
            }
            storage = new
        }
    }
}
