// String parsing: a fast scan for the common case (no escapes), a scratch buffer when escapes appear,
// and UTF-8 validation of every non-ASCII byte either way.

extension JSONParser {
    /// Parses a string starting at the opening quote and leaves `offset` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes, so the string is a slice of the input.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                lastStringHash = Self.hash(slice)
                offset += 1
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(.unescapedControlCharacter(byte)) }
            if byte < 0x80 {
                offset += 1
            } else {
                try skipMultibyteScalar()
            }
        }
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "'\"' to close the string")) }
        return try parseEscapedString(from: start)
    }

    /// The slow path, from the first backslash: copies the string into `scratch` with escapes decoded.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return scratch.withUnsafeBufferPointer { decoded in
                    lastStringHash = Self.hash(decoded)
                    return String(decoding: decoded, as: UTF8.self)
                }
            case UInt8(ascii: "\\"):
                try decodeEscape()
            case ..<0x20:
                throw error(.unescapedControlCharacter(byte))
            case ..<0x80:
                scratch.append(byte)
                offset += 1
            default:
                let scalarStart = offset
                try skipMultibyteScalar()
                scratch.append(contentsOf: bytes[scalarStart..<offset])
            }
        }
        throw error(.unexpectedEnd(expected: "'\"' to close the string"))
    }

    /// Decodes one escape sequence at `offset` (the backslash) into `scratch`.
    private mutating func decodeEscape() throws(JSONParseError) {
        offset += 1
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "an escape character")) }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = offset - 2
            let unit = try parseHexQuad()
            var scalar = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                    bytes[offset + 1] == UInt8(ascii: "u")
                else { throw error(.loneSurrogate(unit), at: escapeStart) }
                offset += 2
                let low = try parseHexQuad()
                guard (0xDC00...0xDFFF).contains(low) else { throw error(.loneSurrogate(unit), at: escapeStart) }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw error(.loneSurrogate(unit), at: escapeStart)
            default:
                break
            }
            appendUTF8(scalar)
        default:
            throw error(.invalidEscape(byte), at: offset - 1)
        }
    }

    /// FNV-1a over the decoded bytes of a string: cheap, and equal for equal keys.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "four hex digits")) }
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.unexpectedCharacter(found: byte, expected: "a hex digit"))
            }
            unit = unit << 4 | UInt16(digit)
            offset += 1
        }
        return unit
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Checks one well-formed multi-byte UTF-8 sequence at `offset` (Unicode table 3-7: no overlong forms, no
    /// surrogates, nothing above U+10FFFF) and steps over it.
    private mutating func skipMultibyteScalar() throws(JSONParseError) {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw error(.invalidUTF8)
        }
        guard offset + length <= bytes.count else { throw error(.invalidUTF8) }
        guard secondRange.contains(bytes[offset + 1]) else { throw error(.invalidUTF8, at: offset + 1) }
        for position in (offset + 2)..<(offset + length) where bytes[position] & 0xC0 != 0x80 {
            throw error(.invalidUTF8, at: position)
        }
        offset += length
    }
}
