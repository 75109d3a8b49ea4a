import QuickstepTestSupport
import Testing
@testable import QuickstepEngine

/// The registry's running set (open addressing, deletion by backward shift) against a `Dictionary` doing the
/// same operations: after every step both hold the same ids with the same values.
@Suite struct RunningSetTests {
    /// Random inserts, replacements and removals over a small id space (so ids come back after removal), from
    /// keys whose table bits are few (so many ids share a home slot and the probe runs wrap around the table's
    /// end). Growth happens along the way, from the initial 16 slots.
    @Test func agreesWithADictionaryUnderChurn() {
        var random = SplitMix64(seed: 42)
        var set = RunningSet<Int>()
        var model: [UUIDv4.Bits: Int] = [:]
        for step in 0..<20_000 {
            // Low bits: the stripe's six, then a table index among the first 8 or the last 8 of any table size:
            // heavy clustering, and runs that wrap from the end of the table to its start.
            let index = random.below(2) == 0 ? UInt64(random.below(8)) : (UInt64.max >> 6) - UInt64(random.below(8))
            let key = UUIDv4.Bits(high: UInt64(random.below(40)), low: index << 6 | 0b10_1010)
            if random.below(3) == 0 {
                #expect(set.remove(key) == model.removeValue(forKey: key), "step \(step)")
            } else {
                set.insert(step, for: key)
                model[key] = step
            }
            #expect(set.count == model.count, "step \(step)")
            if step % 211 == 0 {
                for (key, value) in model { #expect(set.run(for: key) == value, "step \(step)") }
                #expect(set.all.sorted() == model.values.sorted(), "step \(step)")
            }
        }
        for (key, value) in model { #expect(set.remove(key) == value) }
        #expect(set.count == 0)
        #expect(set.all.isEmpty)
    }

    /// An absent id is not found and removing it changes nothing, also when its home slot is occupied by others.
    @Test func absentIdsAreNotFound() {
        var set = RunningSet<String>()
        let taken = UUIDv4.Bits(high: 1, low: 5 << 6)
        let absent = UUIDv4.Bits(high: 2, low: 5 << 6)
        set.insert("taken", for: taken)
        #expect(set.run(for: absent) == nil)
        #expect(set.remove(absent) == nil)
        #expect(set.run(for: taken) == "taken")
        #expect(set.count == 1)
    }
}
