/// An instant written in ASL's timestamp profile of RFC 3339: `2016-03-14T01:59:00Z`, with an optional fraction
/// of a second and either `Z` or a numeric offset (`+02:00`). The `T` and `Z` must be uppercase.
///
/// Timestamps compare as instants: offsets are normalised away.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Int64
    /// The fraction of the second, in nanoseconds.
    public let nanoseconds: Int32
    /// The text it was parsed from.
    public let text: String

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }

    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSinceEpoch == rhs.secondsSinceEpoch && lhs.nanoseconds == rhs.nanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(secondsSinceEpoch)
        hasher.combine(nanoseconds)
    }

    public var description: String { text }

    /// Parses `text`, or returns `nil` when it is not in the profile (or names a date or time that does not exist).
    public init?(_ text: String) {
        guard let instant = Self.instant(of: text) else { return nil }
        secondsSinceEpoch = instant.seconds
        nanoseconds = instant.nanoseconds
        self.text = text
    }

    /// The instant `text` spells (seconds since the epoch and nanoseconds), or `nil` when it is not a timestamp:
    /// what ``init(_:)`` parses, without keeping the text. Choice rules parse the input's timestamps on every
    /// evaluation; read where the string keeps its bytes, nothing is copied or retained.
    public static func instant(of text: String) -> (seconds: Int64, nanoseconds: Int32)? {
        if let instant = text.utf8.withContiguousStorageIfAvailable(Self.instant(utf8:)) { return instant }
        var copy = text
        return copy.withUTF8(Self.instant(utf8:))
    }

    /// The instant the UTF-8 text `bytes` spells, or `nil`. On the bytes in place: Choice rules parse a timestamp
    /// from the input on every evaluation (copying them into an array was a malloc each time).
    public static func instant(utf8 bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int32)? {
        // The date and time have fixed places (`YYYY-MM-DDTHH:MM:SS`), so they are read where they are.
        guard bytes.count >= 20, let base = bytes.baseAddress else { return nil }
        func twoDigits(_ offset: Int) -> Int? {
            let tens = base[offset] &- UInt8(ascii: "0"), units = base[offset + 1] &- UInt8(ascii: "0")
            guard tens < 10, units < 10 else { return nil }
            return Int(tens) * 10 + Int(units)
        }
        guard let century = twoDigits(0), let yearOfCentury = twoDigits(2), base[4] == UInt8(ascii: "-"),
            let month = twoDigits(5), base[7] == UInt8(ascii: "-"), let day = twoDigits(8), base[10] == UInt8(ascii: "T"),
            let hour = twoDigits(11), base[13] == UInt8(ascii: ":"), let minute = twoDigits(14),
            base[16] == UInt8(ascii: ":"), let second = twoDigits(17)
        else { return nil }
        let year = century * 100 + yearOfCentury
        var position = 19
        func expect(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, base[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }
        var nanoseconds = 0
        if expect(".") {
            var digits = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[position] - UInt8(ascii: "0")) }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
        }
        var offsetSeconds = 0
        if expect("Z") {
            offsetSeconds = 0
        } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            position += 1
            guard position + 5 <= bytes.count, let offsetHours = twoDigits(position), base[position + 2] == UInt8(ascii: ":"),
                let offsetMinutes = twoDigits(position + 3), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            position += 5
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard position == bytes.count else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds), Int32(nanoseconds))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
