#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// Reading values where they are, through pointers into their containers' storage, for loops that only look.
///
/// Copying a value out of a container, or binding an enum case's payload, is a copy: a retain and a release of
/// its storage, atomic writes that were a large part of the payload walk's time and of a Choice state's. A pointer
/// from here is valid while the container it points into lives unchanged: the caller keeps that container (or a
/// value holding it) alive and does not modify it while the pointer is in use.
extension JSONValue {
    /// The payload of the case `value` holds, in place: an enum's payload starts at its address. The caller has
    /// matched the case (without binding its payload).
    ///
    /// Sound for `JSONValue` only because it keeps its case in a byte of its own after the payloads (its `Int64` and
    /// `Double` payloads have no spare bits; `JSONValueInPlaceTests` checks the layout). An enum that keeps its case
    /// in spare bits of its payloads (most enums of structs: `PayloadTemplate`, `JSONPath.Segment`) must have its
    /// payload bound instead: read in place, the payload would include the case's bits.
    @inlinable
    static func payload<Payload>(of value: UnsafePointer<JSONValue>, as type: Payload.Type) -> UnsafePointer<Payload> {
        UnsafeRawPointer(value).assumingMemoryBound(to: type)
    }

    /// The string the value at `value` holds, in place (valid while that value lives unchanged), or nil when it
    /// holds no string.
    @inlinable
    public static func unsafeString(at value: UnsafePointer<JSONValue>) -> UnsafePointer<String>? {
        guard case .string = value.pointee else { return nil }
        return payload(of: value, as: String.self)
    }

    /// The value of member `key`, in place, with the member's position, when this value is an object that has such
    /// a member; `hint` is the position to try first (``JSONObject/position(of:hint:)``).
    ///
    /// The pointer points into the object's member storage, not into `self`: it stays valid after the call for as
    /// long as that storage lives unchanged (while the value the caller holds is neither released nor modified).
    @inlinable
    public func unsafeMember(_ key: String, hint: Int) -> (value: UnsafePointer<JSONValue>, position: Int)? {
        withUnsafePointer(to: key) { unsafeMember(keyAt: $0, hint: hint) }
    }

    /// ``unsafeMember(_:hint:)`` for a key that lies at `key` (in a compiled program's memory), read there: a key
    /// loaded from memory to be passed on is a copy, a retain and a release of its storage on every lookup.
    @inlinable
    public func unsafeMember(keyAt key: UnsafePointer<String>, hint: Int) -> (value: UnsafePointer<JSONValue>, position: Int)? {
        withUnsafePointer(to: self) { JSONValue.unsafeMember(of: $0, keyAt: key, hint: hint) }
    }

    /// ``unsafeMember(keyAt:hint:)`` of the value at `value`, read there (the caller keeps it alive and unchanged).
    @inlinable
    public static func unsafeMember(
        of value: UnsafePointer<JSONValue>, keyAt key: UnsafePointer<String>, hint: Int
    ) -> (value: UnsafePointer<JSONValue>, position: Int)? {
        guard case .object = value.pointee else { return nil }
        let object = JSONValue.payload(of: value, as: JSONObject.self)
        let (members, count) = object.pointee.members.contents
        // The hint first, here: a caller that looks one key up in objects of one shape finds it there, and the
        // call that searches (with its saved registers) was most of a lookup's cost (callgrind).
        // One unsigned comparison checks both bounds (a negative hint is a huge unsigned number).
        if UInt(bitPattern: hint) < UInt(bitPattern: count), JSONObject.sameWords(members + hint, key) {
            return (JSONObject.value(ofMemberAt: members + hint), hint)
        }
        let position: Int?
        if object.pointee.index != nil {
            position = object.pointee.position(of: key.pointee)
        } else {
            position = JSONObject.position(ofKeyAt: key, in: members, count: count, hint: hint)
        }
        guard let position else { return nil }
        return (JSONObject.value(ofMemberAt: members + position), position)
    }
}

extension JSONValue {
    /// Sets member `key` of the object at `value` to an object of the `count` members whose keys are `keys(0)`,
    /// `keys(1)`, ... and whose values are moved from `values`, in place, and returns the member's position. When the
    /// member is already an object held by nothing else with room for them, its storage takes the new members
    /// (``JSONObject/replaceMembers(count:keys:movingValuesFrom:)``); otherwise a new object replaces the member or
    /// is appended. Returns nil, changing nothing and moving no value, when `value` is not an object or shares its
    /// storage (the caller then copies it as any change does).
    ///
    /// For a Pass state's `Parameters` written by a `ResultPath` of one member over its previous result (a loop's
    /// counter object): reusing the old object saves a malloc and a free, about 330 instructions. Through pointers,
    /// because taking the objects out of their places to change them (as `ResultPath` does) cost more than that: a
    /// retain and a release of each, copies of the member, checks repeated.
    @inlinable
    public static func storeObject(
        asMemberAt key: UnsafePointer<String>, hint: Int, in value: UnsafeMutablePointer<JSONValue>,
        count: Int, keys: (Int) -> String, movingValuesFrom values: UnsafeMutablePointer<JSONValue>
    ) -> Int? {
        guard case .object = value.pointee else { return nil }
        let object = UnsafeMutableRawPointer(value).assumingMemoryBound(to: JSONObject.self)
        guard object.pointee.index == nil, isKnownUniquelyReferenced(&object.pointee.members.storage) else { return nil }
        let (members, memberCount) = object.pointee.members.contents
        let found: Int?
        if UInt(bitPattern: hint) < UInt(bitPattern: memberCount), JSONObject.sameWords(members + hint, key) {
            found = hint
        } else {
            found = JSONObject.position(ofKeyAt: key, in: members, count: memberCount, hint: hint)
        }
        guard let position = found else {
            object.pointee.appendValue(.object(JSONObject(count: count, keys: keys, movingValuesFrom: values)), forNewKey: key.pointee)
            return memberCount
        }
        let member = UnsafeMutableRawPointer(members + position).advanced(by: JSONObject.valueOffset)
            .assumingMemoryBound(to: JSONValue.self)
        if case .object = member.pointee,
           UnsafeMutableRawPointer(member).assumingMemoryBound(to: JSONObject.self).pointee
               .replaceMembers(count: count, keys: keys, movingValuesFrom: values) {
            return position
        }
        member.pointee = .object(JSONObject(count: count, keys: keys, movingValuesFrom: values))
        return position
    }
}

extension JSONObject {
    /// The position of the key at `key` among `count` members at `members`, trying `hint` first, comparing the
    /// keys' words in place (``sameKey(_:_:)``): no key is copied, so no reference count is touched unless a key is
    /// stored out of line. Out of line: callers inline the hint's check before it (``JSONValue/unsafeMember(of:keyAt:hint:)``),
    /// which settles most lookups, and inlining the search as well made them too large to be inlined themselves.
    @usableFromInline @inline(never)
    static func position(ofKeyAt key: UnsafePointer<String>, in members: UnsafePointer<Entry>, count: Int, hint: Int) -> Int? {
        let words = UnsafeRawPointer(key).load(as: (UInt64, UInt64).self)
        if UInt(bitPattern: hint) < UInt(bitPattern: count), keyMatches(members + hint, key, words: words) { return hint }
        if isSmall(words) {
            // A small key equals only a key with the same words: a scan of words alone (a key looked for and
            // absent, `IsPresent` of a missing member above all, compared every member's storage kind as well).
            for position in 0..<count where sameWords(members + position, words) { return position }
            return nil
        }
        for position in 0..<count where keyMatches(members + position, key, words: words) { return position }
        return nil
    }

    /// The position of the key at `key` among `count` members at `members`, searched from the last member back:
    /// where a key that a state wrote lately lies (a ResultPath that rewrites a field its workflow added).
    @inlinable
    static func lastPosition(ofKeyAt key: UnsafePointer<String>, in members: UnsafePointer<Entry>, count: Int) -> Int? {
        let words = UnsafeRawPointer(key).load(as: (UInt64, UInt64).self)
        var position = count
        if isSmall(words) {
            // A small key equals only a key with the same words (see ``position(ofKeyAt:in:count:hint:)``).
            while position > 0 {
                position -= 1
                if sameWords(members + position, words) { return position }
            }
            return nil
        }
        while position > 0 {
            position -= 1
            if keyMatches(members + position, key, words: words) { return position }
        }
        return nil
    }

    /// Whether the key of the member at `member` has the two words `words`.
    @inlinable @inline(__always)
    static func sameWords(_ member: UnsafePointer<Entry>, _ words: (UInt64, UInt64)) -> Bool {
        UnsafeRawPointer(member).load(as: (UInt64, UInt64).self) == words
    }

    /// Whether the member at `member` has the key at `key` (whose two words are `words`), compared in place as
    /// ``sameKey(_:_:)`` compares: the words, then, for keys stored out of line, the bytes.
    @inlinable @inline(__always)
    static func keyMatches(_ member: UnsafePointer<Entry>, _ key: UnsafePointer<String>, words: (UInt64, UInt64)) -> Bool {
        // A member's key is its first field.
        sameText(at: UnsafeRawPointer(member).assumingMemoryBound(to: String.self), key, words: words)
    }

    /// Whether the strings at `a` and at `b` are the same text (the same UTF-8 bytes, no normalisation), read
    /// where they lie: their two words first, which decide for two small strings, then their bytes.
    @inlinable @inline(__always)
    public static func sameText(at a: UnsafePointer<String>, _ b: UnsafePointer<String>) -> Bool {
        sameText(at: a, b, words: UnsafeRawPointer(b).load(as: (UInt64, UInt64).self))
    }

    /// ``sameText(at:_:)`` with `b`'s two words already read.
    @inlinable @inline(__always)
    static func sameText(at a: UnsafePointer<String>, _ b: UnsafePointer<String>, words: (UInt64, UInt64)) -> Bool {
        let left = UnsafeRawPointer(a).load(as: (UInt64, UInt64).self)
        if left == words { return true }
        if isSmall(left) && isSmall(words) { return false }
        return sameBytes(at: a, b)
    }

    /// Whether the strings at `a` and at `b` have the same UTF-8 bytes, read where they lie (``StringUTF8``):
    /// passing the keys to ``sameKey(_:_:)`` copied them, a retain and a release of each one's storage (a lookup of
    /// an 18-byte key cost 360 instructions). Out of line: most keys are small and never come here, and inlined it
    /// made the lookups that inline ``keyMatches(_:_:words:)`` too large to be inlined themselves.
    @usableFromInline @inline(never)
    static func sameBytes(at a: UnsafePointer<String>, _ b: UnsafePointer<String>) -> Bool {
        StringUTF8.withBytes(ofStringAt: a) { left in
            StringUTF8.withBytes(ofStringAt: b) { right in
                left.count == right.count
                    && (left.isEmpty || memcmp(left.baseAddress.unsafelyUnwrapped, right.baseAddress.unsafelyUnwrapped, left.count) == 0)
            }
        }
    }

    /// Whether the key of the member at `member` has the same two words as the key at `key`: the same small
    /// string, or the same storage. Different words may still be equal keys (``sameKey(_:_:)`` decides).
    @inlinable @inline(__always)
    static func sameWords(_ member: UnsafePointer<Entry>, _ key: UnsafePointer<String>) -> Bool {
        sameWords(member, UnsafeRawPointer(key).load(as: (UInt64, UInt64).self))
    }

    /// The value of the member at `member`, in place: the value follows the key's stride (``valueOffset``).
    @inlinable
    static func value(ofMemberAt member: UnsafePointer<Entry>) -> UnsafePointer<JSONValue> {
        UnsafeRawPointer(member).advanced(by: valueOffset).assumingMemoryBound(to: JSONValue.self)
    }

    /// Where a member's value starts, read from the entry's layout; readers in place also rely on its key being
    /// at the start, checked here. Both are layout constants, which the optimizer folds.
    @inlinable
    static var valueOffset: Int {
        precondition(MemoryLayout<Entry>.offset(of: \Entry.key) == 0)
        return MemoryLayout<Entry>.offset(of: \Entry.value)!
    }
}
