import Testing
@testable import QuickstepLanguage

/// The fixed places of a timestamp (`YYYY-MM-DDTHH:MM:SS`) are checked eight bytes at a time
/// (``Timestamp/fixedPlacesHold(_:_:)``); these tests hold that check to a byte-at-a-time reading.
@Suite struct TimestampPlacesTests {
    /// The masks written out as numbers are the ones their patterns spell.
    @Test func writtenOutMasksMatchTheirPatterns() {
        #expect(Timestamp.datePlaces == Timestamp.FixedPlaces(pattern: "dddd-dd-"))
        #expect(Timestamp.dayAndHourPlaces == Timestamp.FixedPlaces(pattern: "ddTdd:dd"))
        #expect(Timestamp.timePlaces == Timestamp.FixedPlaces(pattern: "dd:dd:dd"))
    }

    /// Every byte value in every fixed place of a valid timestamp: accepted exactly when the byte is what a
    /// byte-at-a-time reading accepts there (a digit where a digit goes, the separator itself elsewhere), and then
    /// read as that digit. 19 places times 256 values, so every value next to the digits (`/`, `:`, and those whose
    /// high or low four bits alone look right) is tried in every place.
    @Test func everyByteInEveryPlaceIsReadAsOneAtATime() throws {
        let valid = Array("2016-03-14T01:59:00Z".utf8)
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        let base = try #require(Timestamp.instant(of: String(decoding: valid, as: UTF8.self)))
        for place in 0..<19 {
            for value in 0...255 {
                var bytes = valid
                bytes[place] = UInt8(value)
                let instant = bytes.withUnsafeBufferPointer(Timestamp.instant(utf8:))
                let isDigit = value >= 0x30 && value <= 0x39
                let fits = pattern[place] == UInt8(ascii: "d") ? isDigit : value == Int(pattern[place])
                guard fits else {
                    #expect(instant == nil, "byte \(value) at \(place)")
                    continue
                }
                // A digit changed: the same instant as a text built from it (a date or time out of range is nil).
                let text = String(decoding: bytes, as: UTF8.self)
                let expected = Timestamp(text)
                #expect(instant?.seconds == expected?.secondsSinceEpoch, "\(text)")
                if value == Int(valid[place]) { #expect(instant?.seconds == base.seconds) }
            }
        }
    }

    /// The first and last years four digits can write, leap days included (year 0 is a leap year in the proleptic
    /// Gregorian calendar): days counted from 1970 one year at a time.
    @Test func theEdgesOfFourDigitYears() throws {
        func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
        func days(from year: Int) -> Int { (year..<1970).reduce(0) { $0 - (isLeap($1) ? 366 : 365) } }
        #expect(Timestamp.instant(of: "0000-01-01T00:00:00Z")?.seconds == Int64(days(from: 0)) * 86_400)
        #expect(Timestamp.instant(of: "0000-02-29T00:00:00Z")?.seconds == Int64(days(from: 0) + 59) * 86_400)
        #expect(Timestamp.instant(of: "0000-03-01T00:00:00Z")?.seconds == Int64(days(from: 0) + 60) * 86_400)
        let lastDay = (1970..<9999).reduce(0) { $0 + (isLeap($1) ? 366 : 365) } + 364
        #expect(Timestamp.instant(of: "9999-12-31T23:59:59Z")?.seconds == Int64(lastDay) * 86_400 + 86_399)
        #expect(Timestamp.instant(of: "0001-02-29T00:00:00Z") == nil)
    }
}
