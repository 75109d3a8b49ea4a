import Testing
@testable import QuickstepEngine

/// Execution names and ids from ``UUIDv4/pair(seed:stream:position:)``.
@Suite struct ExecutionIdTests {
    /// A worker's stream (any but 0) puts its number, modulo 64, in the id's low six bits (the registry's stripe);
    /// stream 0 leaves them random. Every name and id is a version 4 UUID, and all differ.
    @Test func idsNameTheirStream() {
        var seen = Set<UUIDv4.Bits>()
        var lowBitsOfStreamZero = Set<UInt64>()
        for stream in [0, 1, 2, 63, 64, 65] {
            for position in 0..<2_000 {
                let (name, id) = UUIDv4.pair(seed: 0x5EED, stream: stream, position: position)
                if stream == 0 {
                    lowBitsOfStreamZero.insert(id.low & UUIDv4.streamMask)
                } else {
                    #expect(id.low & 0x3F == UInt64(stream % 64))
                }
                for bits in [name, id] {
                    #expect(bits.high & 0xF000 == 0x4000)  // version 4
                    #expect(bits.low >> 62 == 0b10)  // variant
                    #expect(seen.insert(bits).inserted)
                }
            }
        }
        // Random: 2,000 ids cover all 64 values.
        #expect(lowBitsOfStreamZero.count == 64)
    }
}
