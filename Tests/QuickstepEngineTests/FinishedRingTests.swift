import Dispatch
import Synchronization
import Testing
@testable import QuickstepEngine

/// The ring of finished executions: the newest `capacity` entries, newest first, each appended entry either kept
/// or handed back exactly once when a later one replaces it.
@Suite struct FinishedRingTests {
    /// One thread appending 0, 1, 2, ...: the ring holds the last `capacity` values, newest first, for capacities
    /// below, at and above the number of lock stripes (64).
    @Test(arguments: [1, 10, 64, 100, 1000])
    func keepsTheNewestInOrder(capacity: Int) {
        let ring = FinishedRing<Int>(capacity: capacity)
        var visited: [Int] = []
        ring.forEachNewestFirst { visited.append($0); return true }
        #expect(visited.isEmpty)
        let count = capacity * 3 + 7
        var replaced: [Int] = []
        for value in 0..<count {
            if let old = ring.append(value) { replaced.append(old) }
            if value == capacity / 2 {
                var partial: [Int] = []
                ring.forEachNewestFirst { partial.append($0); return true }
                #expect(partial == Array((0...value).reversed()))
            }
        }
        ring.forEachNewestFirst { visited.append($0); return true }
        #expect(visited == Array(((count - capacity)..<count).reversed()))
        #expect(replaced == Array(0..<(count - capacity)))
        // Stopping early.
        var first: [Int] = []
        ring.forEachNewestFirst { first.append($0); return first.count < 2 }
        #expect(first == Array(visited.prefix(2)))
    }

    /// Eight threads appending at once: nothing is lost or duplicated. Every value ends either in the ring or
    /// handed back by the append that replaced it.
    @Test func concurrentAppendsLoseNothing() {
        let ring = FinishedRing<Int>(capacity: 100)
        let replaced = Locked<[Int]>([])
        let group = DispatchGroup()
        for thread in 0..<8 {
            DispatchQueue(label: "ring-\(thread)").async(group: group) {
                var mine: [Int] = []
                for n in 0..<5_000 { if let old = ring.append(thread * 5_000 + n) { mine.append(old) } }
                replaced.withLock { $0 += mine }
            }
        }
        group.wait()
        var kept: [Int] = []
        ring.forEachNewestFirst { kept.append($0); return true }
        #expect(kept.count == 100)
        let all = (replaced.withLock { $0 } + kept).sorted()
        #expect(all == Array(0..<40_000))
    }
}
