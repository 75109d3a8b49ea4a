/// A JSON object: members in insertion order, each key at most once.
///
/// Storage is one flat block of members (``Members``). Objects with more than ``indexThreshold`` members also carry
/// a hash index from key to position, so lookups in large objects stay O(1) while the common small object (a handful
/// of keys, most of them short enough to be stored inline in `String`) costs a single allocation and a linear scan
/// that compares a few words per key.
///
/// Setting an existing key replaces its value in place, keeping its position; a new key is appended. This matches
/// how AWS builds objects (Java's `LinkedHashMap`), including for repeated keys in parsed JSON text.
@frozen
public struct JSONObject: Sendable {
    /// One member of an object.
    public typealias Member = (key: String, value: JSONValue)

    /// A member as the object stores it: a struct rather than the ``Member`` tuple, so that copying and destroying
    /// a list of members runs code made for this type. A list of tuples was copied and destroyed through the
    /// runtime's generic tuple witnesses, which look each element's type up member by member (callgrind: 1,400 of
    /// choice_heavy's 41,000 instructions per execution, in the copy of the input its first ResultPath makes and in
    /// the objects freed).
    @frozen @usableFromInline struct Entry {
        // `key` first: readers in place (``JSONValue/unsafeMember(of:keyAt:hint:)``) find the key at the entry's
        // address and the value after it (``JSONObject/valueOffset``).
        @usableFromInline var key: String
        @usableFromInline var value: JSONValue

        @inlinable init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Objects with more members than this carry a hash index.
    public static let indexThreshold = 16

    /// Room for members beyond its own that a parsed document's top-level object is made with. A workflow's input
    /// usually gains a member or two (each ResultPath that names a new one); its first change copies it, since the
    /// run keeps the input too, and the copy keeps the original's capacity when that has room for one more, so an
    /// input made exactly full was copied full and grown again at the next new member (choice_heavy: a second
    /// allocation and copy per execution).
    public static let roomToGrow = 2

    @usableFromInline internal var members: Members
    @usableFromInline internal var index: [IndexKey: Int]?

    /// An empty object (which allocates its block: one that will get members should be made with room for them,
    /// ``init(minimumCapacity:)``).
    @inlinable public init() {
        members = Members()
        index = nil
    }

    /// An empty object with room for `minimumCapacity` members.
    @inlinable public init(minimumCapacity: Int) {
        members = Members(minimumCapacity: minimumCapacity)
        index = nil
    }

    /// An object with the given members; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ members: S) where S.Element == Member {
        self.init(minimumCapacity: members.underestimatedCount)
        for member in members { self[member.key] = member.value }
    }

    /// Builds an object from members whose keys the caller guarantees to be distinct (the parser checks this
    /// as it goes), skipping the duplicate test.
    @usableFromInline internal init(uniqueMembers: Members) {
        members = uniqueMembers
        index = uniqueMembers.count > Self.indexThreshold ? Self.buildIndex(uniqueMembers) : nil
    }

    /// The number of members.
    @inlinable public var count: Int { members.count }

    /// Whether the object has no members.
    @inlinable public var isEmpty: Bool { members.isEmpty }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The values in key order.
    public var values: [JSONValue] { members.map(\.value) }

    /// The position of `key` among the members, or `nil`.
    @inlinable public func position(of key: String) -> Int? {
        if let index { return index[IndexKey(key)] }
        for position in members.indices where Self.sameKey(members[position].key, key) { return position }
        return nil
    }

    /// The position of the key at `key`, read where it lies (in a compiled program's memory): passing a key loaded
    /// from memory copies it, a retain and a release of a key stored out of line.
    @inlinable public func position(ofKeyAt key: UnsafePointer<String>) -> Int? {
        position(ofKeyAt: key, hint: 0)
    }

    /// ``position(ofKeyAt:)`` trying `hint` first (``position(of:hint:)``).
    @inlinable public func position(ofKeyAt key: UnsafePointer<String>, hint: Int) -> Int? {
        if let index { return index[IndexKey(key.pointee)] }
        let (base, count) = members.contents
        return Self.position(ofKeyAt: key, in: base, count: count, hint: hint)
    }

    /// The position of `key`, trying `hint` first: a caller that looks the same key up in objects of one shape
    /// (a workflow's inputs) keeps where it was found last and usually compares one key instead of scanning.
    @inlinable public func position(of key: String, hint: Int) -> Int? {
        if hint >= 0, hint < members.count, Self.sameKey(members[hint].key, key) { return hint }
        return position(of: key)
    }

    /// Whether two keys are the same. Keys of different lengths are different keys to AWS (Java compares code
    /// points), even where Unicode calls them equivalent, so this compares UTF-8 bytes and nothing else.
    ///
    /// Most keys are short enough for Swift to store them inline ("small" strings: up to 15 UTF-8 bytes in the
    /// string's two words, unused bytes zero), and a small string's words are a function of its bytes. So the two
    /// words are compared first: equal words are equal keys; different words of two small strings are different
    /// keys. Only a key stored out of line goes on to the length and `String ==`. A linear scan of an object's
    /// keys is the commonest lookup there is (`String ==` alone took its slow path on every mismatch, 9 % of
    /// choice_heavy's time; comparing UTF-8 lengths first still decoded both strings' counts, 9 % again).
    @inlinable public static func sameKey(_ a: String, _ b: String) -> Bool {
        let left = unsafeBitCast(a, to: (UInt64, UInt64).self)
        let right = unsafeBitCast(b, to: (UInt64, UInt64).self)
        if left == right { return true }
        if isSmall(left) && isSmall(right) { return false }
        return sameBytes(a, b)
    }

    /// Whether two strings have the same UTF-8 bytes (``sameBytes(at:_:)``). Not `String ==`, which calls
    /// canonically equivalent spellings equal (two combining marks in either order) and took 120 instructions for an
    /// 18-byte key.
    @usableFromInline static func sameBytes(_ a: String, _ b: String) -> Bool {
        withUnsafePointer(to: a) { a in withUnsafePointer(to: b) { b in sameBytes(at: a, b) } }
    }

    /// Whether a string's words are a small (inline) string's: the discriminator in the top bits of the second
    /// word has its "small" bit set (Swift's `_StringObject` layout on 64-bit platforms).
    @inlinable static func isSmall(_ words: (UInt64, UInt64)) -> Bool {
        words.1 & (1 << 61) != 0
    }

    /// The member at `position`, in insertion order.
    @inlinable public func member(at position: Int) -> Member { (members[position].key, members[position].value) }

    /// The value of `key`, or `nil`. Assigning `nil` removes the member; assigning a value to an existing key
    /// replaces the value and keeps the key's position.
    @inlinable public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            if let newValue { setValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Sets `key` to `value`, in place when the key exists, appended otherwise.
    @inlinable public mutating func setValue(_ value: JSONValue, forKey key: String) {
        if let position = position(of: key) {
            members[position].value = value
            return
        }
        appendValue(value, forNewKey: key)
    }

    /// ``setValue(_:forKey:)`` for the key at `key`, read there, searching from the last member back: a key that a
    /// workflow's states write (a `ResultPath`) was usually appended by one of them, so it lies at the end, where a
    /// search from the front compared every key before it (a fifth of a ResultPath's cost in choice_heavy).
    @inlinable public mutating func setValue(_ value: consuming JSONValue, forKeyAt key: UnsafePointer<String>) {
        _ = setValue(consume value, forKeyAt: key, hint: -1)  // no hint: -1 is no position
    }

    /// ``setValue(_:forKeyAt:)`` looking first at `hint`, where the caller found the key last (a workflow's ResultPath
    /// writes one key into objects of one shape); returns the member's position now, for the next hint.
    @discardableResult
    @inlinable public mutating func setValue(_ value: consuming JSONValue, forKeyAt key: UnsafePointer<String>, hint: Int) -> Int {
        let position: Int?
        if let index {
            position = index[IndexKey(key.pointee)]
        } else {
            let (base, count) = members.contents
            let words = UnsafeRawPointer(key).load(as: (UInt64, UInt64).self)
            if UInt(bitPattern: hint) < UInt(bitPattern: count), Self.keyMatches(base + hint, key, words: words) {
                position = hint
            } else {
                position = Self.lastPosition(ofKeyAt: key, in: base, count: count)
            }
        }
        if let position {
            members[position].value = consume value
            return position
        }
        appendValue(consume value, forNewKey: key.pointee)
        return members.count - 1
    }

    /// Changes the value at `position` in place: the value is taken out of the object (leaving `null`) while `body`
    /// runs, so a container nothing else holds stays unshared and is edited in place.
    @inlinable public mutating func modifyValue<Failure: Error>(
        at position: Int, _ body: (inout JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        var value = members[position].value
        members[position].value = .null
        defer { members[position].value = value }
        try body(&value)
    }

    /// Appends a member whose key the caller knows is not in the object (it just looked), skipping the search.
    @inlinable public mutating func appendValue(_ value: consuming JSONValue, forNewKey key: String) {
        members.append(Entry(key: key, value: consume value))
        if index != nil {
            index![IndexKey(key)] = members.count - 1
        } else if members.count > Self.indexThreshold {
            index = Self.buildIndex(members)
        }
    }

    /// An object of the `count` members whose keys are `keys(0)`, `keys(1)`, ... (distinct, as the caller knows) and
    /// whose values are moved from `values`.
    @inlinable public init(count: Int, keys: (Int) -> String, movingValuesFrom values: UnsafeMutablePointer<JSONValue>) {
        self.init(minimumCapacity: count)
        for position in 0..<count { appendValue((values + position).move(), forNewKey: keys(position)) }
    }

    /// Replaces every member with the `count` members whose keys are `keys(0)`, `keys(1)`, ... (distinct, as the
    /// caller knows) and whose values are moved from `values`, in this object's own storage: when the object has it
    /// to itself with room for them, and is small enough to have no index. Returns false, changing nothing and
    /// moving no value, otherwise.
    ///
    /// For a value that replaces an object of its shape (a Pass state's `Parameters` written by a `ResultPath`
    /// over its previous result, a loop's counter): the old object's block is reused, where making the new object
    /// and freeing the old was a malloc and a free, about 330 instructions.
    @inlinable public mutating func replaceMembers(
        count: Int, keys: (Int) -> String, movingValuesFrom values: UnsafeMutablePointer<JSONValue>
    ) -> Bool {
        guard index == nil, count <= Self.indexThreshold, count <= members.capacity, members.removeAllKeepingStorage()
        else { return false }
        for position in 0..<count {
            members.append(Entry(key: keys(position), value: (values + position).move()))
        }
        return true
    }

    /// Removes `key` and returns its value, or returns `nil` when there is no such member.
    ///
    /// - Complexity: O(n): later members move up one position.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = members.remove(at: position).value
        index = members.count > Self.indexThreshold ? Self.buildIndex(members) : nil
        return removed
    }

    @usableFromInline static func buildIndex(_ members: Members) -> [IndexKey: Int] {
        var index = [IndexKey: Int](minimumCapacity: members.count)
        for (position, member) in members.enumerated() { index[IndexKey(member.key)] = position }
        return index
    }

    /// A key in a large object's index, hashed and compared by its UTF-8 bytes (``sameKey(_:_:)``): `String`'s own
    /// hashing and `==` treat canonically equivalent spellings as one key, which AWS (comparing code points) does
    /// not.
    @usableFromInline struct IndexKey: Hashable, Sendable {
        @usableFromInline let text: String

        @inlinable init(_ text: String) { self.text = text }

        @inlinable static func == (lhs: IndexKey, rhs: IndexKey) -> Bool { JSONObject.sameKey(lhs.text, rhs.text) }

        @inlinable func hash(into hasher: inout Hasher) {
            if let hashed: Void = text.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) {
                return hashed
            }
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}

extension JSONObject: RandomAccessCollection {
    public typealias Index = Int
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { members.count }
    @inlinable public subscript(position: Int) -> Member { (members[position].key, members[position].value) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    @inlinable public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { self[key] = value }
    }
}
