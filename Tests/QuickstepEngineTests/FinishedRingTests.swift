import Dispatch
import Synchronization
import Testing
@testable import QuickstepEngine

/// The ring of finished executions: a segment per finishing thread, read as one ring of the newest `capacity`
/// entries by finish order, newest first; each appended entry either held or handed back exactly once when a later
/// one of its segment replaces it.
@Suite struct FinishedRingTests {
    /// Values 0, 1, 2, ... appended in that order (their order), spread over the segments in turn: the ring shows the
    /// last `capacity` values, newest first, whatever the number of segments; each segment hands back its own
    /// values older than its last `capacity`.
    @Test(arguments: [(1, 1), (10, 1), (100, 1), (1, 3), (10, 3), (64, 5)])
    func showsTheNewestInOrder(capacity: Int, segments: Int) {
        let ring = FinishedRing<Int>(capacity: capacity, segments: segments)
        var visited: [Int] = []
        ring.forEachNewestFirst { visited.append($0); return true }
        #expect(visited.isEmpty)
        let count = capacity * segments * 3 + 7
        var replaced: [Int] = []
        for value in 0..<count {
            if let old = ring.append(value, order: Int64(value), segment: value % segments) { replaced.append(old) }
            if value == capacity / 2 {
                var partial: [Int] = []
                ring.forEachNewestFirst { partial.append($0); return true }
                #expect(partial == Array((0...value).reversed()))
            }
        }
        ring.forEachNewestFirst { visited.append($0); return true }
        #expect(visited == Array(((count - capacity)..<count).reversed()))
        // Segment s holds its last `capacity` values; everything of its before them was handed back, in order.
        let expected = (0..<segments).flatMap { segment in
            Array(stride(from: segment, to: count, by: segments).dropLast(capacity))
        }
        #expect(replaced.sorted() == expected.sorted())
        // Stopping early.
        var first: [Int] = []
        ring.forEachNewestFirst { first.append($0); return first.count < 2 }
        #expect(first == Array(visited.prefix(2)))
    }

    /// `newest(where:)` finds an entry only while it is among the newest `capacity` of all segments, although its
    /// segment still holds it after that; of two matches it gives the newer.
    @Test func findsOnlyWhatItShows() {
        let ring = FinishedRing<Int>(capacity: 4, segments: 2)
        // Segment 0 gets 0 and 1 and then nothing; segment 1 the rest.
        for value in 0..<2 { _ = ring.append(value, order: Int64(value), segment: 0) }
        #expect(ring.newest { $0 == 0 } == 0)
        for value in 2..<5 { _ = ring.append(value, order: Int64(value), segment: 1) }
        // Shown: 4, 3, 2, 1. Segment 0 still holds 0, four entries are newer.
        #expect(ring.newest { $0 == 0 } == nil)
        #expect(ring.newest { $0 == 1 } == 1)
        #expect(ring.newest { $0 % 2 == 1 } == 3)
        #expect(ring.newest { $0 > 10 } == nil)
    }

    /// Eight threads appending at once, each to a segment of its own: nothing is lost or duplicated. Every value
    /// ends either held (its segment's last 100) or handed back by the append that replaced it, and the ring shows
    /// the 100 with the largest orders.
    @Test func concurrentAppendsLoseNothing() {
        let ring = FinishedRing<Int>(capacity: 100, segments: 8)
        let replaced = Locked<[Int]>([])
        let group = DispatchGroup()
        for thread in 0..<8 {
            DispatchQueue(label: "ring-\(thread)").async(group: group) {
                var mine: [Int] = []
                for n in 0..<5_000 {
                    let value = thread * 5_000 + n
                    if let old = ring.append(value, order: Int64(value), segment: thread) { mine.append(old) }
                }
                replaced.withLock { $0 += mine }
            }
        }
        group.wait()
        var shown: [Int] = []
        ring.forEachNewestFirst { shown.append($0); return true }
        #expect(shown == Array((39_900..<40_000).reversed()))
        let handedBack = replaced.withLock { $0 }.sorted()
        let expected: [Int] = (0..<8).flatMap { (thread: Int) -> [Int] in Array((thread * 5_000)..<(thread * 5_000 + 4_900)) }
        #expect(handedBack == expected)
    }
}
