import Atomics
import Dispatch

/// The engine's counters, with a wait for "nothing running".
///
/// Every execution bumps two counters (started, then one of the outcomes), and every worker does it, so the
/// counters are striped: one stripe per worker plus one for threads outside the pool, each on cache lines of its
/// own, summed when read. A single set of shared atomics (and the `DispatchGroup` that `waitUntilIdle` used to
/// wait on) put five contended atomic writes on every execution.
///
/// A worker's stripe has one writer, the worker, so its counters are moved on by a load and a store, none of them
/// a locked instruction (about 5 ns each on the project's machine; an execution took four, then one for the
/// outcome's count, until that too became a store). Stripe 0 is shared by every thread outside the pool and takes
/// atomic adds.
///
/// A wait for idle is woken by the finish that leaves nothing running. That finish's store and its look for
/// waiters are not ordered against a waiter arriving at that very moment (a store followed by a load may be
/// reordered, and a locked instruction to prevent it would cost every execution), so in that narrow race the waiter
/// sleeps on until its backstop, ``backstop``, and finds the engine idle then.
final class Totals: Sendable {
    private enum Field: Int, CaseIterable {
        case started, succeeded, failed, timedOut, aborted, transitions
    }

    /// Words per stripe: 128 bytes, so that no two stripes share a cache line (or an adjacent-line prefetch pair)
    /// whatever the allocation's alignment.
    private static let stride = 16
    private let words: AtomicSlots
    private let stripeCount: Int
    /// Threads in `waitUntilIdle`; finishing executions look at the totals only while there are some.
    private let waiters = ManagedAtomic<Int>(0)
    private let idle = DispatchSemaphore(value: 0)
    /// How long a wait for idle sleeps before it looks again without a wake-up.
    static let backstop = DispatchTimeInterval.milliseconds(5)
    let metrics: EngineMetrics

    /// `stripes`: one per worker plus one; stripe 0 is for threads outside the pool.
    init(stripes: Int, metrics: EngineMetrics) {
        stripeCount = max(1, stripes)
        words = AtomicSlots(count: stripeCount * Self.stride)
        self.metrics = metrics
    }

    deinit {
        words.deallocate()
    }

    @inline(__always)
    private func counter(_ field: Field, stripe: Int) -> UnsafeAtomic<Int> {
        words[(stripe % stripeCount) * Self.stride + field.rawValue]
    }

    private func sum(_ field: Field) -> Int {
        var total = 0
        for stripe in 0..<stripeCount { total &+= counter(field, stripe: stripe).load(ordering: .acquiring) }
        return total
    }

    /// Adds `amount` to `field` of `stripe` and returns the count before: with a load and a releasing store on a
    /// worker's stripe (one writer), an atomic add on stripe 0.
    @inline(__always)
    private func add(_ amount: Int, to field: Field, stripe: Int) -> Int {
        let counter = counter(field, stripe: stripe)
        guard stripe != 0 else { return counter.loadThenWrappingIncrement(by: amount, ordering: .releasing) }
        let before = counter.load(ordering: .relaxed)
        counter.store(before &+ amount, ordering: .releasing)
        return before
    }

    /// Counts an execution started on `stripe` (the calling thread's: its worker's, or 0 outside the pool);
    /// returns how many had started on it before.
    @discardableResult
    func started(stripe: Int) -> Int {
        let before = add(1, to: .started, stripe: stripe)
        if metrics.isRecording { metrics.started.increment() }
        return before
    }

    func finished(_ status: ExecutionResult.Status, transitions count: Int, milliseconds: Int64, stripe: Int) {
        if metrics.isRecording { metrics.finished(status, milliseconds: milliseconds, transitions: count) }
        _ = add(count, to: .transitions, stripe: stripe)
        let field: Field
        switch status {
        case .succeeded: field = .succeeded
        case .failed: field = .failed
        case .timedOut: field = .timedOut
        case .aborted: field = .aborted
        }
        // A releasing store on a worker's stripe: a waiter that announces itself at this very moment may miss this
        // finish, and this finish miss it; the waiter's backstop then wakes it (see the type's note).
        _ = add(1, to: field, stripe: stripe)
        let waiting = waiters.load(ordering: .sequentiallyConsistent)
        if waiting > 0, running == 0 {
            for _ in 0..<waiting { idle.signal() }
        }
    }

    /// Executions started and not finished. The finished counts are read first and the started ones last: every
    /// finish happens after its start, so an execution counted finished is counted started, and the difference is
    /// never below the number really running when the reading began.
    private var running: Int {
        var finished = 0
        for stripe in 0..<stripeCount {
            finished &+= counter(.succeeded, stripe: stripe).load(ordering: .sequentiallyConsistent)
            finished &+= counter(.failed, stripe: stripe).load(ordering: .sequentiallyConsistent)
            finished &+= counter(.timedOut, stripe: stripe).load(ordering: .sequentiallyConsistent)
            finished &+= counter(.aborted, stripe: stripe).load(ordering: .sequentiallyConsistent)
        }
        return sum(.started) - finished
    }

    func snapshot() -> EngineCounters {
        var counters = EngineCounters()
        // The finished counts first and `started` last: every finish happens after its start, so `running` is
        // never negative.
        counters.succeeded = sum(.succeeded)
        counters.failed = sum(.failed)
        counters.timedOut = sum(.timedOut)
        counters.aborted = sum(.aborted)
        counters.stateTransitions = sum(.transitions)
        counters.started = sum(.started)
        counters.running = counters.started - counters.succeeded - counters.failed - counters.timedOut - counters.aborted
        return counters
    }

    func waitUntilIdle() {
        waiters.wrappingIncrement(ordering: .sequentiallyConsistent)
        defer { waiters.wrappingDecrement(ordering: .sequentiallyConsistent) }
        // A signal may be left over from an earlier wait, so the count is checked after every wake-up; the
        // timeout is the backstop for a wake-up raced away.
        while running > 0 {
            _ = idle.wait(timeout: .now() + Self.backstop)
        }
    }
}
