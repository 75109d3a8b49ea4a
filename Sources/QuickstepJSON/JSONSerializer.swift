/// Writes JSON text: compact (as AWS prints state outputs), pretty (for people), or canonical (for diffs).
///
/// Strings are escaped as Jackson, which AWS uses, escapes them: `"` and `\`, the short forms `\b \t \n \f \r`,
/// `\u00XX` for the other control characters, everything else (non-ASCII and `/` included) written as is.
/// Doubles are written as Java's `Double.toString` writes them (`1.0`, `0.001`, `1.0E7`, `1.5E-4`) so the output
/// matches AWS's text, and always parse back to the same `Double`.
public struct JSONSerializer {
    /// How the text is laid out.
    public enum Style: Sendable {
        /// No whitespace at all: `{"a":[1,2]}`.
        case compact
        /// Two-space indentation, one member or element per line, `": "` after keys.
        case pretty
        /// Compact, with object keys sorted by their UTF-8 bytes and integral doubles written as integers, so
        /// values that are `==` have the same text.
        case canonical
    }

    /// The text written so far, as UTF-8 bytes.
    public private(set) var bytes: [UInt8]
    public let style: Style

    /// A serializer that appends to an empty buffer with room for `capacity` bytes.
    public init(style: Style = .compact, capacity: Int = 256) {
        self.style = style
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The compact JSON text of `value`.
    public static func compactText(_ value: JSONValue) -> String { text(value, style: .compact) }

    /// The text of `value` in the given style.
    public static func text(_ value: JSONValue, style: Style) -> String {
        var serializer = JSONSerializer(style: style)
        serializer.write(value)
        return String(decoding: serializer.bytes, as: UTF8.self)
    }

    /// The compact JSON text of `value` as UTF-8 bytes.
    public static func compactBytes(_ value: JSONValue) -> [UInt8] {
        var serializer = JSONSerializer(style: .compact)
        serializer.write(value)
        return serializer.bytes
    }

    /// Appends the text of `value`.
    public mutating func write(_ value: JSONValue) {
        write(value, depth: 0)
    }

    private mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let integer): writeInteger(integer)
        case .double(let number):
            if style == .canonical, let integer = Int64(exactly: number) {
                writeInteger(integer)
            } else {
                JSONSerializer.writeJavaDouble(number, into: &bytes)
            }
        case .string(let text): writeString(text)
        case .array(let elements): writeArray(elements, depth: depth)
        case .object(let object): writeObject(object, depth: depth)
        }
    }

    private mutating func writeArray(_ elements: [JSONValue], depth: Int) {
        bytes.append(UInt8(ascii: "["))
        guard !elements.isEmpty else {
            bytes.append(UInt8(ascii: "]"))
            return
        }
        for (position, element) in elements.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            newline(depth: depth + 1)
            write(element, depth: depth + 1)
        }
        newline(depth: depth)
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ object: JSONObject, depth: Int) {
        bytes.append(UInt8(ascii: "{"))
        guard !object.isEmpty else {
            bytes.append(UInt8(ascii: "}"))
            return
        }
        if style == .canonical {
            let sorted = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            writeMembers(sorted, depth: depth)
        } else {
            writeMembers(object, depth: depth)
        }
        newline(depth: depth)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeMembers<Members: RandomAccessCollection<JSONObject.Member>>(
        _ members: Members, depth: Int
    ) {
        for (position, member) in members.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            newline(depth: depth + 1)
            writeString(member.key)
            bytes.append(UInt8(ascii: ":"))
            if style == .pretty { bytes.append(UInt8(ascii: " ")) }
            write(member.value, depth: depth + 1)
        }
    }

    @inline(__always)
    private mutating func newline(depth: Int) {
        guard style == .pretty else { return }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    private mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func writeInteger(_ integer: Int64) {
        if integer < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits of the magnitude, last first, into a fixed buffer: no String, no allocation.
        var magnitude = integer.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
        }
    }

    /// Appends `text` as a JSON string literal.
    public mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let written: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            writeEscaped(utf8)
        }
        if written == nil {
            // Bridged or lazily stored strings: make contiguous UTF-8 first.
            var contiguous = text
            contiguous.makeContiguousUTF8()
            contiguous.utf8.withContiguousStorageIfAvailable { writeEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        do {
            var runStart = 0
            for position in utf8.indices {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                JSONSerializer.appendEscape(for: byte, into: &bytes)
                runStart = position + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    private static func appendEscape(for byte: UInt8, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        default:
            let hex: StaticString = "0123456789ABCDEF"
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}

extension JSONValue {
    /// The compact JSON text, with no whitespace, as AWS prints state outputs.
    public var compactText: String { JSONSerializer.text(self, style: .compact) }
    /// Indented JSON text for people to read.
    public var prettyText: String { JSONSerializer.text(self, style: .pretty) }
    /// A stable text for comparisons and diffs: sorted keys, integral numbers written as integers.
    /// Two values have the same canonical text exactly when they are `==`.
    public var canonicalText: String { JSONSerializer.text(self, style: .canonical) }
}

extension JSONValue {
    /// Whether the compact JSON text of the value is longer than `limit` bytes, found without building the text
    /// and stopping as soon as the limit is passed.
    ///
    /// - Complexity: O(min(size, limit)).
    public func compactTextExceeds(bytes limit: Int) -> Bool {
        // Most payloads are far below the limit: a cheap upper bound (every string byte escaped as \uXXXX, every
        // double at its longest) settles them without looking at string contents or formatting doubles.
        var bound = limit
        if withUnsafePointer(to: self, { Self.fitsUpperBound($0, &bound) }) { return false }
        var remaining = limit
        return !Self.fits(self, &remaining)
    }

    /// The walk reads values where they are, through pointers into their containers' buffers: copying a value out
    /// (even through a borrowed binding) retained and released it, so the walk was mostly reference counting (a
    /// fifth of order_processing's time at first; still a third of the walk in map_100x3).
    ///
    /// The budget left is kept in a local while a container is walked (the `inout` was stored and loaded again for
    /// every element) and counted with wrapping arithmetic: no bound can come near overflowing (a string's length
    /// times six is far below `Int.max`), so the overflow checks were branches for nothing.
    private static func fitsUpperBound(_ value: UnsafePointer<JSONValue>, _ remaining: inout Int) -> Bool {
        // The cases that hold references are matched without binding their payload (a binding is a copy, so a
        // retain and a release) and read in place through a pointer to it: an enum's payload starts at its
        // address.
        if let bound = scalarUpperBound(value) {
            remaining &-= bound
            return remaining >= 0
        }
        var left = remaining
        defer { remaining = left }
        switch value.pointee {
        case .array:
            // The buffers are reached through their base addresses: `withUnsafeBufferPointer` on an array read
            // through a pointer retained and released it.
            let elements = JSONValue.payload(of: value, as: [JSONValue].self)
            let count = elements.pointee.count
            left &-= 2 &+ count
            guard let first = elements.pointee._baseAddressIfContiguous else { return left >= 0 }
            // The container walked last and its bound: an element that is the same container (a Parallel's
            // branches that pass their input on, a Map's items that do) costs what it did (walking the four copies
            // of one input was 6 % of parallel_4x3's instructions).
            var lastContainer: UnsafeRawPointer?
            var lastBound = 0
            for index in 0..<count {
                guard left >= 0 else { return false }
                // Scalars are counted here, containers by a call (a call per element was a third of the walk).
                if let bound = scalarUpperBound(first + index) {
                    left &-= bound
                    continue
                }
                let container = storage(of: first + index)
                if container != nil, container == lastContainer {
                    left &-= lastBound
                    continue
                }
                let before = left
                guard fitsUpperBound(first + index, &left) else { return false }
                lastContainer = container
                lastBound = before &- left
            }
        case .object:
            let object = JSONValue.payload(of: value, as: JSONObject.self)
            let (members, count) = object.pointee.members.contents
            left &-= 2 &+ count
            for index in 0..<count {
                guard left >= 0 else { return false }
                // A member's key is its first field.
                left &-= UnsafeRawPointer(members + index).assumingMemoryBound(to: String.self).pointee.utf8.count &* 6 &+ 3
                let member = JSONObject.value(ofMemberAt: members + index)
                if let bound = scalarUpperBound(member) {
                    left &-= bound
                } else if !fitsUpperBound(member, &left) {
                    return false
                }
            }
        case .null, .bool, .int, .double, .string:
            break  // bounded above
        }
        return left >= 0
    }

    /// Where a non-empty array or object keeps its elements, which identifies it: two values with the same storage
    /// are copies of one container, so they have the same text. Nil for anything else.
    @inline(__always)
    private static func storage(of value: UnsafePointer<JSONValue>) -> UnsafeRawPointer? {
        switch value.pointee {
        case .array:
            let elements = JSONValue.payload(of: value, as: [JSONValue].self)
            return elements.pointee.isEmpty ? nil : UnsafeRawPointer(elements.pointee._baseAddressIfContiguous)
        case .object:
            let object = JSONValue.payload(of: value, as: JSONObject.self)
            return object.pointee.isEmpty ? nil : UnsafeRawPointer(object.pointee.members.baseAddress)
        case .null, .bool, .int, .double, .string:
            return nil
        }
    }

    /// The upper bound of a scalar's compact text, or nil for an array or object.
    @inline(__always)
    private static func scalarUpperBound(_ value: UnsafePointer<JSONValue>) -> Int? {
        switch value.pointee {
        case .null, .bool: 5
        case .int(let integer): digitCountUpperBound(integer)
        case .double: 25
        case .string: JSONValue.payload(of: value, as: String.self).pointee.utf8.count &* 6 &+ 2
        case .array, .object: nil
        }
    }

    /// At least the length of an integer's decimal text, sign included, found without dividing (the exact count's
    /// loop of divisions was a tenth of the walk over map_100x3's items): a magnitude of `b` significant bits has at
    /// most ⌊b·log₁₀2⌋ + 1 digits, and 78/256 > log₁₀2.
    @inline(__always)
    static func digitCountUpperBound(_ integer: Int64) -> Int {
        let bits = Int64.bitWidth &- integer.magnitude.leadingZeroBitCount
        return (bits &* 78) >> 8 &+ 2
    }

    /// The length of an integer's decimal text, sign included.
    private static func digitCount(_ integer: Int64) -> Int {
        var count = integer < 0 ? 2 : 1
        var rest = integer.magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    private static func fits(_ value: JSONValue, _ remaining: inout Int) -> Bool {
        switch value {
        case .null: remaining -= 4
        case .bool(let flag): remaining -= flag ? 4 : 5
        case .int(let integer): remaining -= digitCount(integer)
        case .double: remaining -= value.compactText.utf8.count
        case .string(let text): remaining -= stringLength(text)
        case .array(let elements):
            remaining -= 2 + max(0, elements.count - 1)
            for element in elements where remaining >= 0 {
                if !fits(element, &remaining) { return false }
            }
        case .object(let object):
            remaining -= 2 + max(0, object.count - 1)
            for member in object where remaining >= 0 {
                remaining -= stringLength(member.key) + 1
                if !fits(member.value, &remaining) { return false }
            }
        }
        return remaining >= 0
    }

    /// The length of a string literal as the serializer writes it.
    private static func stringLength(_ text: String) -> Int {
        var length = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: length += 2
            case ..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }
}
