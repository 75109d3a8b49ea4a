/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// It accepts exactly the JSON grammar: any value at the top level, surrounded by optional whitespace
/// (space, tab, line feed, carriage return). It rejects malformed UTF-8, lone surrogate escapes, unescaped control
/// characters, numbers that are not finite doubles, and nesting deeper than ``Options/maximumDepth``.
///
/// Nesting is handled with explicit stacks, not recursion, so no input can overflow the thread's stack.
/// Integers that fit in `Int64` stay exact; other numbers become `Double`s. A repeated object key keeps its first
/// position and its last value.
///
/// ```swift
/// let value = try JSONParser.parse(#"{"order": {"id": 7, "total": 19.5}}"#)
/// ```
public struct JSONParser: ~Copyable {
    /// Limits the parser enforces.
    public struct Options: Sendable {
        /// The deepest nesting of arrays and objects accepted. Jackson, which AWS uses, defaults to 1000.
        public var maximumDepth: Int

        public init(maximumDepth: Int = 1000) {
            self.maximumDepth = maximumDepth
        }
    }

    /// Parses UTF-8 JSON text held in a `String`.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset, line and column of the first problem.
    public static func parse(_ text: String, options: Options = Options()) throws(JSONParseError) -> JSONValue {
        var text = text
        // `withUTF8` is not typed-throws, so the outcome travels out as a `Result`.
        let result = text.withUTF8 { bytes in
            Result { () throws(JSONParseError) -> JSONValue in try parse(bytes: bytes, options: options) }
        }
        return try result.get()
    }

    /// Parses UTF-8 JSON text held in a byte array.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset, line and column of the first problem.
    public static func parse(_ bytes: [UInt8], options: Options = Options()) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try parse(bytes: buffer, options: options)
        }
    }

    /// Parses UTF-8 JSON text in memory the caller keeps alive for the duration of the call.
    ///
    /// - Throws: ``JSONParseError`` naming the byte offset, line and column of the first problem.
    public static func parse(
        bytes: UnsafeBufferPointer<UInt8>, options: Options = Options()
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, options: options)
        return try parser.parseDocument()
    }

    // MARK: State

    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var offset = 0
    let options: Options

    /// An open array or object: where its elements (and, for objects, keys) start on the shared stacks.
    private struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    /// Finished elements of every open container, innermost last.
    private var values = UnsafeStack<JSONValue>()
    /// Keys of the members of every open object, parallel to their values, and a hash of each key so that
    /// repeated keys are found by comparing integers.
    private var keys = UnsafeStack<String>()
    private var keyHashes: [UInt64] = []
    private var frames: [Frame] = []
    /// The FNV-1a hash of the decoded bytes of the string `parseString` returned last.
    var lastStringHash: UInt64 = 0
    /// Scratch space for strings with escapes, reused across strings.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, options: Options) {
        self.bytes = bytes
        self.options = options
    }

    // MARK: Structure

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseNestedValue()
        skipWhitespace()
        if offset < bytes.count { throw error(.trailingCharacters) }
        return value
    }

    /// Parses one value, containers included, keeping the open containers on explicit stacks.
    private mutating func parseNestedValue() throws(JSONParseError) -> JSONValue {
        while true {
            // Parse a value, or open a container and go round again for its first element.
            skipWhitespace()
            guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "a value")) }
            var value: JSONValue
            switch bytes[offset] {
            case UInt8(ascii: "{"):
                try open(isObject: true)
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    offset += 1
                    value = closeContainer()
                } else {
                    try parseMemberKey()
                    continue
                }
            case UInt8(ascii: "["):
                try open(isObject: false)
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    offset += 1
                    value = closeContainer()
                } else {
                    continue
                }
            default:
                value = try parseScalar()
            }

            // A value is complete: hand it to the innermost open container, closing containers as they end.
            while true {
                guard let frame = frames.last else { return value }
                values.push(value)
                skipWhitespace()
                guard offset < bytes.count else {
                    throw error(.unexpectedEnd(expected: frame.isObject ? "',' or '}'" : "',' or ']'"))
                }
                let byte = bytes[offset]
                if byte == UInt8(ascii: ",") {
                    offset += 1
                    if frame.isObject { try parseMemberKey() }
                    break
                }
                if byte == (frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    offset += 1
                    value = closeContainer()
                    continue
                }
                throw error(.unexpectedCharacter(
                    found: byte, expected: frame.isObject ? "',' or '}' after an object member" : "',' or ']' after an array element"))
            }
        }
    }

    private mutating func open(isObject: Bool) throws(JSONParseError) {
        if frames.count >= options.maximumDepth { throw error(.tooDeep(limit: options.maximumDepth)) }
        offset += 1
        frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count))
    }

    /// Parses `"key" :` and pushes the key.
    private mutating func parseMemberKey() throws(JSONParseError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "a string key")) }
        guard bytes[offset] == UInt8(ascii: "\"") else {
            throw error(.unexpectedCharacter(found: bytes[offset], expected: "a string key"))
        }
        keys.push(try parseString())
        keyHashes.append(lastStringHash)
        skipWhitespace()
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "':'")) }
        guard bytes[offset] == UInt8(ascii: ":") else {
            throw error(.unexpectedCharacter(found: bytes[offset], expected: "':' after an object key"))
        }
        offset += 1
    }

    /// Pops the innermost container and builds its value by moving its elements off the stacks.
    private mutating func closeContainer() -> JSONValue {
        let frame = frames.removeLast()
        guard frame.isObject else { return .array(values.popArray(from: frame.valueStart)) }
        let count = values.count - frame.valueStart
        let hasRepeatedKey = Self.hasRepeatedHash(keyHashes[frame.keyStart...])
        // The document's own object (the one a workflow's ResultPaths add members to) gets room for a few more.
        var members = JSONObject.Members(minimumCapacity: frames.isEmpty ? count + JSONObject.roomToGrow : count)
        for position in 0..<count {
            members.append(JSONObject.Entry(key: keys.take(at: frame.keyStart + position),
                                            value: values.take(at: frame.valueStart + position)))
        }
        keys.forget(downTo: frame.keyStart)
        values.forget(downTo: frame.valueStart)
        keyHashes.removeSubrange(frame.keyStart...)
        // Repeated keys are rare: only then go member by member, so the last value wins in the first position.
        return .object(hasRepeatedKey ? JSONObject(members.lazy.map { ($0.key, $0.value) }) : JSONObject(uniqueMembers: members))
    }

    /// Whether two of the hashes are equal (a repeated key, or a hash collision that the slow path sorts out).
    private static func hasRepeatedHash(_ hashes: ArraySlice<UInt64>) -> Bool {
        guard hashes.count > 1 else { return false }
        if hashes.count <= 32 {
            var position = hashes.startIndex
            while position < hashes.endIndex {
                let hash = hashes[position]
                var other = position + 1
                while other < hashes.endIndex {
                    if hashes[other] == hash { return true }
                    other += 1
                }
                position += 1
            }
            return false
        }
        return Set(hashes).count != hashes.count
    }

    // MARK: Scalars

    private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
        let byte = bytes[offset]
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw error(.unexpectedCharacter(found: byte, expected: "a value"))
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let expected = "'\(literal)'"
        for position in 0..<literal.utf8CodeUnitCount {
            guard offset < bytes.count else { throw error(.unexpectedEnd(expected: expected)) }
            guard bytes[offset] == literal.utf8Start[position] else {
                throw error(.unexpectedCharacter(found: bytes[offset], expected: expected))
            }
            offset += 1
        }
    }

    // MARK: Helpers

    @inline(__always)
    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    @inline(__always)
    func peek() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    /// An error at the current offset (or at `offset` when given), with its line and column worked out.
    func error(_ reason: JSONParseError.Reason, at errorOffset: Int? = nil) -> JSONParseError {
        let errorOffset = min(errorOffset ?? offset, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<errorOffset] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(reason: reason, offset: errorOffset, line: line, column: column)
    }
}
