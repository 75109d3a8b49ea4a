/// The UTF-8 bytes of a `String` that lies in memory (a JSON value's, a compiled program's), read where they are.
///
/// Passing a string from memory to a function copies it, and a copy of a string stored out of line is a retain and
/// a release of its storage: two atomic operations for every Choice test of a string or timestamp variable (16
/// pairs per choice_heavy execution, `Execution.compare`). Reading the string's two words instead finds its bytes
/// without touching its reference count, for the two forms that keep them at a fixed place:
///
/// - a small string (up to 15 bytes) holds them in its own words, in order, its count in the second word's top
///   byte;
/// - a large string whose storage ends in its bytes (native strings, and literals, which Swift lays out alike) has
///   them 32 bytes past its storage's address, its count in the first word's low 48 bits.
///
/// This is Swift's `_StringObject` layout on 64-bit little-endian platforms, a stable ABI (`JSONObject/sameKey(_:_:)`
/// reads the same "small" bit). Any other form (a bridged or shared string), and every string on other platforms,
/// goes through `utf8`, copying.
/// `StringUTF8Tests` checks the bytes found against `Array(text.utf8)` for every form the engine makes.
public enum StringUTF8 {
    /// Calls `body` with the UTF-8 bytes of the string at `text`, which must stay alive and unchanged during the
    /// call.
    @inlinable @inline(__always)
    public static func withBytes<Result>(
        ofStringAt text: UnsafePointer<String>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        #if _pointerBitWidth(_64) && _endian(little)
        let words = UnsafeRawPointer(text).load(as: (UInt64, UInt64).self)
        let discriminator = words.1 >> 60
        if discriminator & 0b0010 != 0 {
            // Small: the bytes are the words' own, in memory order on a little-endian machine.
            let count = Int(truncatingIfNeeded: (words.1 >> 56) & 0xF)
            return try body(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: count))
        }
        // Large, not bridged (b62), not foreign (b60), its bytes tail-allocated (the first word's b60).
        if discriminator & 0b0101 == 0, words.0 & (1 << 60) != 0,
            let start = UnsafePointer<UInt8>(bitPattern: UInt(truncatingIfNeeded: words.1 & 0x0FFF_FFFF_FFFF_FFFF) &+ 32) {
            return try body(UnsafeBufferPointer(start: start, count: Int(truncatingIfNeeded: words.0 & 0xFFFF_FFFF_FFFF)))
        }
        #endif
        return try slowBytes(text.pointee, body)
    }

    /// The bytes of a string of any other form, copied when they are not contiguous.
    @usableFromInline
    static func slowBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether the bytes `withBytes(ofStringAt:_:)` reads are the string's own there (not a copy): true for small
    /// strings and tail-allocated large ones. For tests.
    public static func isReadInPlace(_ text: String) -> Bool {
        #if !(_pointerBitWidth(_64) && _endian(little))
        return false
        #endif
        return withUnsafePointer(to: text) { pointer in
            let words = UnsafeRawPointer(pointer).load(as: (UInt64, UInt64).self)
            let discriminator = words.1 >> 60
            return discriminator & 0b0010 != 0 || (discriminator & 0b0101 == 0 && words.0 & (1 << 60) != 0)
        }
    }
}
