// Number parsing: the JSON number grammar, exact Int64 for integers that fit, Double otherwise.

extension JSONParser {
    /// Parses a number at `offset` (a `-` or a digit).
    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = offset
        let isNegative = bytes[offset] == UInt8(ascii: "-")
        if isNegative { offset += 1 }

        // Integer part: `0` alone, or a non-zero digit followed by digits. Accumulated as a negative number
        // so that Int64.min fits; `fitsInt64` turns false on overflow.
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: "a digit")) }
        var magnitude: Int64 = 0
        var fitsInt64 = true
        let first = bytes[offset]
        if first == UInt8(ascii: "0") {
            offset += 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            while offset < bytes.count, let digit = Self.digitValue(bytes[offset]) {
                if fitsInt64 {
                    let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
                    if overflow1 || overflow2 { fitsInt64 = false } else { magnitude = next }
                }
                offset += 1
            }
        } else {
            throw error(.unexpectedCharacter(found: first, expected: "a digit"))
        }

        var isInteger = true
        var fractionStart = 0
        var fractionDigits = 0
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            fractionStart = offset
            try skipDigits(expected: "a digit after the decimal point")
            fractionDigits = offset - fractionStart
        }
        var hasExponent = false
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            hasExponent = true
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            try skipDigits(expected: "a digit in the exponent")
        }

        if isInteger && fitsInt64 {
            if isNegative { return .int(magnitude) }
            if magnitude != .min { return .int(-magnitude) }
        }
        if !hasExponent && fitsInt64,
            let number = Self.exactDecimal(
                integerPart: magnitude.magnitude, fraction: bytes[fractionStart..<(fractionStart + fractionDigits)])
        {
            return .double(isNegative ? -number : number)
        }
        // The grammar is checked, so the text is a valid Swift float literal; Swift's parser is correctly
        // rounded and independent of the C locale.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw error(.numberOutOfRange, at: start) }
        return .double(number)
    }

    /// Clinger's fast path for plain decimals such as `19.99`: when the digits, read as one integer, fit in a
    /// double's 53-bit significand and there are at most 22 fraction digits, both that integer and the power of
    /// ten are exact doubles, so one division gives the correctly rounded result. `nil` when it does not apply.
    @inline(__always)
    static func exactDecimal(integerPart: UInt64, fraction: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
        guard fraction.count <= 22 else { return nil }
        var significand = integerPart
        for byte in fraction {
            let (shifted, overflow) = significand.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            significand = shifted + UInt64(byte &- UInt8(ascii: "0"))
        }
        guard significand <= 1 << 53 else { return nil }
        return Double(significand) / exactPowersOfTen[fraction.count]
    }

    /// 10^0 … 10^22, every one exactly representable as a double.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    private mutating func skipDigits(expected: String) throws(JSONParseError) {
        guard offset < bytes.count else { throw error(.unexpectedEnd(expected: expected)) }
        guard Self.digitValue(bytes[offset]) != nil else {
            throw error(.unexpectedCharacter(found: bytes[offset], expected: expected))
        }
        while offset < bytes.count, Self.digitValue(bytes[offset]) != nil { offset += 1 }
    }

    @inline(__always)
    static func digitValue(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? digit : nil
    }
}
