import Dispatch
import DequeModule
import Synchronization

/// A fixed set of long-lived workers on Dispatch that drive runs: each worker takes a run from the queue, runs
/// it until it parks or ends, and takes the next. Idle workers sleep on a counting semaphore, one permit per
/// queued run, so no wake-up is lost.
///
/// Design note: this first pool uses one locked queue (`Locked<Deque>`); the lock-free per-worker deques with work
/// stealing of DESIGN.md replace it once a profile on a many-core machine shows the lock. A run is driven by one
/// worker at a time (``RunScheduler/isScheduled``), so the VM needs no locks.
final class WorkerPool: Sendable {
    private let queue = Locked(Deque<UncheckedBox<RunScheduler>>())
    private let available = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchGroup()
    let workerCount: Int

    /// Starts `workers` workers; `drive` is called for every run taken from the queue.
    init(workers: Int, drive: @escaping @Sendable (RunScheduler) -> Void) {
        workerCount = max(1, workers)
        let dispatchQueue = DispatchQueue(label: "quickstep.workers", qos: .userInitiated, attributes: .concurrent)
        for _ in 0..<workerCount {
            finished.enter()
            dispatchQueue.async { [self] in
                defer { finished.leave() }
                while true {
                    available.wait()
                    if stopping.load(ordering: .acquiring) { return }
                    guard let run = queue.withLock({ $0.popFirst() }) else { continue }
                    drive(run.value)
                }
            }
        }
    }

    /// Queues a run for a worker; safe from any thread.
    func submit(_ scheduler: RunScheduler) {
        let box = UncheckedBox(scheduler)
        queue.withLock { $0.append(box) }
        available.signal()
    }

    /// Stops the workers after the runs they are driving; queued runs are left undriven.
    func shutdown() {
        stopping.store(true, ordering: .releasing)
        for _ in 0..<workerCount { available.signal() }
        finished.wait()
    }
}
