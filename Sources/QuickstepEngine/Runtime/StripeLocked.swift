import Atomics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a lock that is one atomic word, for ``LockedStripes``: taking the lock is one
/// compare-and-exchange and releasing it one store, where a pthread mutex took two locked instructions and about 55
/// instructions in all, four times per execution (the running set's stripe when the execution starts and when it
/// ends, the finished ring's segment, the machine table).
///
/// Made for short sections on stripes that a worker mostly takes alone, where waiting is rare: a waiter reads the
/// word until it is free, and after a few dozen reads yields its core (a holder that was descheduled gets it back).
/// ThreadSanitizer sees the acquiring exchange and the releasing store, so it knows what the lock orders.
///
/// The word and the value live together in one block of their own cache lines (``CacheLines``), as ``Locked``'s do.
final class StripeLocked<State>: @unchecked Sendable {
    private let block: UnsafeMutableRawPointer
    private let word: UnsafeAtomic<Int>
    private let state: UnsafeMutablePointer<State>

    init(_ state: State) {
        let wordStride = MemoryLayout<UnsafeAtomic<Int>.Storage>.stride
        let stateOffset = CacheLines.roundUp(wordStride, to: MemoryLayout<State>.alignment)
        block = CacheLines.allocate(byteCount: stateOffset + MemoryLayout<State>.stride)
        let storage = block.bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        storage.initialize(to: UnsafeAtomic<Int>.Storage(0))
        word = UnsafeAtomic(at: storage)
        self.state = (block + stateOffset).bindMemory(to: State.self, capacity: 1)
        self.state.initialize(to: state)
    }

    deinit {
        state.deinitialize(count: 1)
        block.assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self).deinitialize(count: 1)
        block.deallocate()
    }

    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        if !word.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { waitForLock() }
        defer { word.store(0, ordering: .releasing) }
        return try body(&state.pointee)
    }

    /// Takes the lock after a first try found it held.
    @inline(never)
    private func waitForLock() {
        var reads = 0
        while true {
            if word.load(ordering: .relaxed) == 0,
                word.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged
            {
                return
            }
            reads += 1
            if reads >= 64 {
                reads = 0
                sched_yield()
            }
        }
    }
}
