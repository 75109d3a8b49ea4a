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
        // The date and time have fixed places (`YYYY-MM-DDTHH:MM:SS`), read as three little-endian words of eight
        // bytes (bytes 0-7, 8-15 and 11-18), each checked at once: every digit place holds 0x30-0x39 and every
        // separator its character (``fixedPlacesHold(_:_:)``). Read a byte at a time, the check and the digits took
        // 200 instructions of the 300 a Choice's timestamp test cost in choice_heavy.
        let count = bytes.count
        guard count >= 20, let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let date = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let dayAndHour = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let time = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        guard Self.fixedPlacesHold(date, Self.datePlaces), Self.fixedPlacesHold(dayAndHour, Self.dayAndHourPlaces),
            Self.fixedPlacesHold(time, Self.timePlaces)
        else { return nil }
        // A digit's value is its low four bits.
        @inline(__always) func digit(_ word: UInt64, _ place: Int) -> Int { Int(truncatingIfNeeded: (word &>> (place &* 8)) & 0x0F) }
        @inline(__always) func pair(_ word: UInt64, _ place: Int) -> Int { digit(word, place) &* 10 &+ digit(word, place &+ 1) }
        // Past the fixed places, a byte's value as a digit; anything that is not a digit comes out 10 or more.
        @inline(__always) func digit(_ offset: Int) -> Int { Int(base[offset] &- UInt8(ascii: "0")) }
        @inline(__always) func pair(_ offset: Int) -> Int { digit(offset) &* 10 &+ digit(offset &+ 1) }
        let year = pair(date, 0) &* 100 &+ pair(date, 2), month = pair(date, 5), day = pair(dayAndHour, 0)
        let hour = pair(dayAndHour, 3), minute = pair(time, 3), second = pair(time, 6)
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

    /// What the fixed places of eight bytes must hold: `mask` keeps a digit's high four bits and a separator's
    /// eight, which must equal `expected`; `digits` has 6 in each digit place, which takes 0x3A-0x3F (let through
    /// by the first test) past 0x3F. Written out as numbers, so that reading them costs nothing (a pattern read at
    /// run time would be a lazily made global); ``init(pattern:)`` spells them out, and a test checks they agree.
    struct FixedPlaces: Equatable {
        let mask: UInt64
        let expected: UInt64
        let digits: UInt64

        init(mask: UInt64, expected: UInt64, digits: UInt64) {
            self.mask = mask
            self.expected = expected
            self.digits = digits
        }

        /// The places of `pattern`, eight characters, first byte lowest: `d` a digit, anything else itself.
        init(pattern: String) {
            var mask: UInt64 = 0, expected: UInt64 = 0, digits: UInt64 = 0
            for (place, byte) in pattern.utf8.enumerated() {
                let shift = UInt64(place * 8)
                if byte == UInt8(ascii: "d") {
                    mask |= 0xF0 << shift
                    expected |= 0x30 << shift
                    digits |= 0x06 << shift
                } else {
                    mask |= 0xFF << shift
                    expected |= UInt64(byte) << shift
                }
            }
            self.init(mask: mask, expected: expected, digits: digits)
        }
    }

    /// `dddd-dd-`
    static let datePlaces = FixedPlaces(mask: 0xFFF0_F0FF_F0F0_F0F0, expected: 0x2D30_302D_3030_3030, digits: 0x0006_0600_0606_0606)
    /// `ddTdd:dd`
    static let dayAndHourPlaces = FixedPlaces(mask: 0xF0F0_FFF0_F0FF_F0F0, expected: 0x3030_3A30_3054_3030, digits: 0x0606_0006_0600_0606)
    /// `dd:dd:dd`
    static let timePlaces = FixedPlaces(mask: 0xF0F0_FFF0_F0FF_F0F0, expected: 0x3030_3A30_303A_3030, digits: 0x0606_0006_0600_0606)

    /// Whether every place of `word` holds what `places` asks. Once the first test holds, a digit place is 0x30 to
    /// 0x3F and a separator is an ASCII character, so adding 6 carries into no other place.
    @inline(__always)
    static func fixedPlacesHold(_ word: UInt64, _ places: FixedPlaces) -> Bool {
        let highBits = places.digits &* 0x28  // 0xF0 in each digit place
        return word & places.mask == places.expected && (word &+ places.digits) & highBits == places.digits &* 8
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`), for years 0
    /// to 9999 (a timestamp's four digits). The year is moved on by one era of 400 years (146,097 days) so that every
    /// quotient is of a positive number: unsigned division by a constant is a multiplication, and no sum here can
    /// overflow, so the arithmetic is unchecked (the checked, signed version took 67 instructions).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = UInt(truncatingIfNeeded: year &+ 400 &- (month <= 2 ? 1 : 0))
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear &- era &* 400
        let shiftedMonth = UInt(truncatingIfNeeded: month > 2 ? month &- 3 : month &+ 9)
        let dayOfYear = (153 &* shiftedMonth &+ 2) / 5 &+ UInt(truncatingIfNeeded: day) &- 1
        let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
        return Int(truncatingIfNeeded: era &* 146_097 &+ dayOfEra) &- 719_468 &- 146_097
    }
}
