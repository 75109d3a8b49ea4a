import Dispatch
import Synchronization

/// How a synchronous start (``Engine/startSyncExecution(stateMachine:input:inputByteCount:name:)``) learns that its execution ended
/// on a worker, without costing anything when it ends on the caller's thread (most do: an execution that never
/// parks runs there from start to end).
///
/// One word in each run: 0 while it runs with nobody waiting, 1 once it has ended, otherwise the address of a
/// ``Waiter`` the caller parked on. The caller installs a waiter only after its inline drive returned without
/// the outcome; whichever of the two sides comes second sees the other's mark, so the caller is always woken.
/// (It replaced a semaphore, a lock and a callback made for every synchronous start: four allocations.)
struct SyncSignal: ~Copyable, Sendable {
    private static let ended = 1
    private let word = Atomic<Int>(0)

    /// What a caller parks on; kept alive by the caller until it is woken.
    final class Waiter: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
    }

    /// Called once the run's outcome is set (by the thread that reported it).
    func markEnded() {
        let previous = word.exchange(Self.ended, ordering: .acquiringAndReleasing)
        guard previous > Self.ended else { return }
        Unmanaged<Waiter>.fromOpaque(UnsafeRawPointer(bitPattern: previous)!).takeUnretainedValue().semaphore.signal()
    }

    /// Blocks until ``markEnded()`` has been called.
    func wait() {
        guard word.load(ordering: .acquiring) != Self.ended else { return }
        let waiter = Waiter()
        let bits = Int(bitPattern: Unmanaged.passUnretained(waiter).toOpaque())
        let (exchanged, _) = word.compareExchange(expected: 0, desired: bits, ordering: .acquiringAndReleasing)
        if exchanged { waiter.semaphore.wait() }
        withExtendedLifetime(waiter) {}
    }
}
