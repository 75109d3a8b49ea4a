import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A timer's hold on the strand and graph it is for, which the graph lets go of when the timer has become moot (a
/// task that completed before its timeout or its heartbeat's deadline): the host then keeps only this small object
/// until the due time, instead of the run and everything the run holds. (A task's timeout held its run for the
/// whole timeout: at ten thousand executions a second with 60-second timeouts, six hundred thousand finished runs.)
///
/// Fired or cancelled once; whichever comes first takes the target, under a one-word lock (an atomic flag, which
/// ThreadSanitizer sees).
final class TimerTicket: @unchecked Sendable {
    private let busy = Atomic<Bool>(false)
    @exclusivity(unchecked) private var target: (scheduler: RunScheduler, action: RunScheduler.TimerAction)?

    init(_ scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        target = (scheduler, action)
    }

    /// Delivers the action to its strand, unless the ticket was cancelled.
    func fire() {
        guard let (scheduler, action) = take() else { return }
        scheduler.deliver(action)
    }

    /// Lets go of the strand and the graph; the timer, when it fires, does nothing.
    func cancel() {
        _ = take()  // released here, after the lock
    }

    private func take() -> (scheduler: RunScheduler, action: RunScheduler.TimerAction)? {
        while busy.exchange(true, ordering: .acquiring) { sched_yield() }
        defer { busy.store(false, ordering: .releasing) }
        return target.take()
    }
}
