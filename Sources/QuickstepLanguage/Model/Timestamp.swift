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
        // The date and time have fixed places (`YYYY-MM-DDTHH:MM:SS`), read where they are with no bounds checks
        // past the length check and no overflow checks (every sum is of a few digits): the checked, closure-based
        // version took 220 instructions for `2024-05-01T12:00:00Z`, and Choice rules parse the input's timestamps
        // on every evaluation.
        let count = bytes.count
        guard count >= 20, let base = bytes.baseAddress else { return nil }
        // A byte's value as a digit; anything that is not a digit comes out 10 or more (the subtraction wraps).
        @inline(__always) func digit(_ offset: Int) -> Int { Int(base[offset] &- UInt8(ascii: "0")) }
        @inline(__always) func pair(_ offset: Int) -> Int { digit(offset) &* 10 &+ digit(offset &+ 1) }
        guard digit(0) < 10, digit(1) < 10, digit(2) < 10, digit(3) < 10, base[4] == UInt8(ascii: "-"),
            digit(5) < 10, digit(6) < 10, base[7] == UInt8(ascii: "-"), digit(8) < 10, digit(9) < 10,
            base[10] == UInt8(ascii: "T"), digit(11) < 10, digit(12) < 10, base[13] == UInt8(ascii: ":"),
            digit(14) < 10, digit(15) < 10, base[16] == UInt8(ascii: ":"), digit(17) < 10, digit(18) < 10
        else { return nil }
        let year = pair(0) &* 100 &+ pair(2), month = pair(5), day = pair(8)
        let hour = pair(11), minute = pair(14), second = pair(17)
        var position = 19
        var nanoseconds = 0
        if base[position] == UInt8(ascii: ".") {
            position &+= 1
            let digitsStart = position
            while position < count, digit(position) < 10 {
                if position &- digitsStart < 9 { nanoseconds = nanoseconds &* 10 &+ digit(position) }
                position &+= 1
            }
            let digits = position &- digitsStart
            guard digits > 0, position < count else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds &*= 10 }
        }
        var offsetSeconds = 0
        let designator = base[position]
        if designator == UInt8(ascii: "Z") {
            position &+= 1
        } else if designator == UInt8(ascii: "+") || designator == UInt8(ascii: "-") {
            // `+HH:MM`: exactly six bytes to the end.
            guard count &- position == 6, digit(position &+ 1) < 10, digit(position &+ 2) < 10,
                base[position &+ 3] == UInt8(ascii: ":"), digit(position &+ 4) < 10, digit(position &+ 5) < 10
            else { return nil }
            let offsetHours = pair(position &+ 1), offsetMinutes = pair(position &+ 4)
            guard offsetHours < 24, offsetMinutes < 60 else { return nil }
            offsetSeconds = (offsetHours &* 3600 &+ offsetMinutes &* 60) &* (designator == UInt8(ascii: "-") ? -1 : 1)
            position &+= 6
        } else {
            return nil
        }
        guard position == count, month >= 1, month <= 12, day >= 1, day <= Self.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        return (Int64(days) &* 86_400 &+ Int64(hour &* 3600 &+ minute &* 60 &+ second &- offsetSeconds), Int32(nanoseconds))
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
