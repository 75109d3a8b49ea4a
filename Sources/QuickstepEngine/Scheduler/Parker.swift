import Atomics
import Dispatch

/// Parks idle workers and wakes them without losing work.
///
/// A worker with nothing to do announces itself (`sleepers += 1`), looks at every queue once more, and only
/// then waits on the semaphore. A producer makes its element visible and then reads `sleepers`. Both sides use
/// sequentially consistent operations, so at least one of them sees the other: either the worker finds the
/// element, or the producer finds the sleeper and wakes it (Dekker's pattern). A wake-up takes a sleeper off the
/// count before signalling, so every signal pairs with exactly one wait, and workers that are busy cost a
/// producer one atomic load.
final class Parker: @unchecked Sendable {
    /// On cache lines of its own: every submit reads it (as a `ManagedAtomic`, through a call to the class's pointer
    /// accessor).
    private let sleepersWord = AtomicSlots(count: 1)
    private var sleepers: UnsafeAtomic<Int> { sleepersWord[0] }
    private let semaphore = DispatchSemaphore(value: 0)

    deinit {
        sleepersWord.deallocate()
    }

    /// Wakes one parked worker, if any.
    func wakeOne() {
        var count = sleepers.load(ordering: .sequentiallyConsistent)
        while count > 0 {
            let (exchanged, current) = sleepers.compareExchange(expected: count, desired: count - 1, ordering: .sequentiallyConsistent)
            if exchanged {
                semaphore.signal()
                return
            }
            count = current
        }
    }

    /// Parks the calling worker unless `hasWork()`, read after announcing the sleeper, says there is work.
    func park(unless hasWork: () -> Bool) {
        sleepers.wrappingIncrement(ordering: .sequentiallyConsistent)
        guard hasWork() else {
            semaphore.wait()
            return
        }
        // Withdraw; if a producer already counted us off, its signal is on the way: take it.
        var count = sleepers.load(ordering: .sequentiallyConsistent)
        while count > 0 {
            let (exchanged, current) = sleepers.compareExchange(expected: count, desired: count - 1, ordering: .sequentiallyConsistent)
            if exchanged { return }
            count = current
        }
        semaphore.wait()
    }

    /// Wakes `count` workers regardless of the count (shutdown).
    func release(_ count: Int) {
        for _ in 0..<count { semaphore.signal() }
    }
}
