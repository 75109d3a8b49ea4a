// Doubles written as Java's `Double.toString` writes them, since AWS's outputs come from Java (Jackson).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONSerializer {
    /// Appends `number` in Java's `Double.toString` format: the shortest digits that parse back to the same
    /// value, in plain notation with at least one fractional digit when 10^-3 ≤ |x| < 10^7 (`0.001`, `12.5`,
    /// `1234567.0`), in computerized scientific notation otherwise (`1.0E7`, `1.2345E-5`).
    ///
    /// The shortest digits come from Swift's own `description`, which is also shortest-round-trip; only the layout
    /// differs. `number` must be finite.
    static func writeJavaDouble(_ number: Double, into bytes: inout [UInt8]) {
        if number == 0 {
            bytes.append(contentsOf: (number.sign == .minus ? "-0.0" : "0.0").utf8)
            return
        }
        if number.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        let magnitude = number.magnitude
        var (digits, exponent) = shortestDigits(of: magnitude)
        if digits.count == 1 && magnitude < 1e-320 {
            // Java always shows two significant digits (`d.d`), and where the shortest form has one digit it
            // picks the two-digit decimal nearest the exact value: 4.9E-324, not 5.0E-324, for the smallest
            // subnormal. Only subnormals this small have rounding intervals wide enough for that to differ
            // from appending a zero.
            (digits, exponent) = nearestTwoDigits(of: magnitude)
        }
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if exponent >= 0 {
                // Integer part: the first exponent + 1 digits, padded with zeros.
                for position in 0...exponent {
                    bytes.append(position < digits.count ? digits[position] : UInt8(ascii: "0"))
                }
                bytes.append(UInt8(ascii: "."))
                if digits.count > exponent + 1 {
                    bytes.append(contentsOf: digits[(exponent + 1)...])
                } else {
                    bytes.append(UInt8(ascii: "0"))
                }
            } else {
                bytes.append(contentsOf: "0.".utf8)
                bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -exponent - 1))
                bytes.append(contentsOf: digits)
            }
        } else {
            bytes.append(digits[0])
            bytes.append(UInt8(ascii: "."))
            if digits.count > 1 {
                bytes.append(contentsOf: digits[1...])
            } else {
                bytes.append(UInt8(ascii: "0"))
            }
            bytes.append(UInt8(ascii: "E"))
            bytes.append(contentsOf: String(exponent).utf8)
        }
    }

    /// The shortest round-trip significant digits of a positive finite `magnitude` (no leading or trailing
    /// zeros) and the decimal exponent of the first digit, so that magnitude = d.ddd × 10^exponent.
    static func shortestDigits(of magnitude: Double) -> (digits: [UInt8], exponent: Int) {
        // Swift writes e.g. "1234.5", "0.00012", "1e-05", "1.2345e+20".
        var digits: [UInt8] = []
        var digitsBeforePoint = 0
        var seenPoint = false
        var exponent = 0
        var text = magnitude.description.utf8[...]
        while let byte = text.first {
            text = text.dropFirst()
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") {
                exponent = Int(String(decoding: text, as: UTF8.self))!
                break
            } else {
                digits.append(byte)
                if !seenPoint { digitsBeforePoint += 1 }
            }
        }
        // value = 0.digits × 10^(digitsBeforePoint + exponent); strip zeros at both ends.
        var pointPosition = digitsBeforePoint + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, pointPosition - 1)
    }
}

extension JSONSerializer {
    /// The two significant digits nearest the exact value of `magnitude`, from C's exactly rounded `%.1e`.
    static func nearestTwoDigits(of magnitude: Double) -> (digits: [UInt8], exponent: Int) {
        var buffer = [CChar](repeating: 0, count: 32)
        _ = withVaList([magnitude]) { vsnprintf(&buffer, buffer.count, "%.1e", $0) }
        let text = String(cString: buffer)  // "4.9e-324"
        let parts = text.split(separator: "e")
        var digits = Array(parts[0].utf8.filter { $0 != UInt8(ascii: ".") })
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, Int(parts[1])!)
    }
}
