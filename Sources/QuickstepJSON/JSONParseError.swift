/// Why a JSON text was rejected, and where.
///
/// `offset` is the zero-based byte offset of the offending byte in the UTF-8 input; `line` and `column` are
/// one-based, with the column counted in characters (Unicode scalars) from the start of the line.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem the parser found.
    public enum Reason: Sendable, Equatable {
        /// A byte that cannot start or continue what the grammar expects here (`expected` says what could).
        case unexpectedCharacter(found: UInt8, expected: String)
        /// The text ended where more was expected.
        case unexpectedEnd(expected: String)
        /// A complete value was followed by something other than whitespace.
        case trailingCharacters
        /// Objects and arrays nested deeper than the parser's limit.
        case tooDeep(limit: Int)
        /// A number whose value is not a finite double (for example `1e400`).
        case numberOutOfRange
        /// Bytes that are not well-formed UTF-8.
        case invalidUTF8
        /// A `\u` escape that names half of a surrogate pair without its other half.
        case loneSurrogate(UInt16)
        /// A control character (below U+0020) inside a string; JSON requires it to be escaped.
        case unescapedControlCharacter(UInt8)
        /// A backslash followed by something other than `"\/bfnrtu`.
        case invalidEscape(UInt8)
    }

    public let reason: Reason
    public let offset: Int
    public let line: Int
    public let column: Int

    public init(reason: Reason, offset: Int, line: Int, column: Int) {
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// A one-line explanation, for example
    /// `unexpected character '}' at line 3, column 7 (byte 41): expected a value`.
    public var description: String {
        let place = "at line \(line), column \(column) (byte \(offset))"
        switch reason {
        case .unexpectedCharacter(let found, let expected):
            return "unexpected character \(Self.show(found)) \(place): expected \(expected)"
        case .unexpectedEnd(let expected):
            return "unexpected end of input \(place): expected \(expected)"
        case .trailingCharacters:
            return "unexpected data after the JSON value \(place)"
        case .tooDeep(let limit):
            return "objects and arrays nested deeper than \(limit) levels \(place)"
        case .numberOutOfRange:
            return "number out of range \(place): it is not a finite double"
        case .invalidUTF8:
            return "invalid UTF-8 \(place)"
        case .loneSurrogate(let unit):
            let hex = String(unit, radix: 16, uppercase: true)
            return "lone surrogate \\u\(hex) \(place): a surrogate escape must be part of a pair"
        case .unescapedControlCharacter(let byte):
            return "unescaped control character \(Self.show(byte)) in a string \(place)"
        case .invalidEscape(let byte):
            return "invalid escape \\\(Self.printable(byte)) in a string \(place)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    private static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : show(byte)
    }
}
