import Atomics
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of long-lived workers on Dispatch (one per core by default) that drive runs.
///
/// Each worker owns a ``WorkStealingDeque``: runs woken on a worker (a child strand of a Map, a run resumed by a
/// completion the worker delivered, an execution started from a completion callback) go there. Runs from
/// other threads go through the shared ``InjectionQueue``. A worker looks at its own deque, then the injection
/// queue, then steals from the others, spins briefly, and parks (``Parker``). No lock is taken on any of these
/// paths. A run is driven by one worker at a time (``RunScheduler/isScheduled``), so the VM itself needs no locks.
/// Before each take a worker also runs the errands left for it alone (``runOnEachWorker(_:)``), if its flag says
/// there are any.
final class WorkerPool: Sendable {
    /// One worker's deque and errands, found from the worker's thread through a thread-local pointer.
    final class Worker: Sendable {
        /// Which pool the worker belongs to (several engines may share a process).
        let pool: ObjectIdentifier
        let index: Int
        let deque = WorkStealingDeque<RunScheduler>(capacity: 4096)
        /// Work for this worker alone (``WorkerPool/runOnEachWorker(_:)``), and whether any is waiting: set seldom,
        /// read with one relaxed load per take.
        let errands = Locked<[@Sendable () -> Void]>([])
        let hasErrands = Atomic<Bool>(false)

        init(pool: ObjectIdentifier, index: Int) {
            self.pool = pool
            self.index = index
        }
    }

    private final class Identity: Sendable {}

    private let identity = Identity()
    private let workers: [Worker]
    private let injection = InjectionQueue<RunScheduler>(capacity: 65_536)
    private let parker = Parker()
    private let stopping = ManagedAtomic<Bool>(false)
    /// Workers that found nothing to do (spinning or parked); updated only when a worker changes between busy
    /// and idle, so a busy pool does not touch it.
    private let idle = ManagedAtomic<Int>(0)
    private let finished = DispatchGroup()
    private let drive: @Sendable (consuming RunScheduler, Int) -> Void
    let workerCount: Int

    /// How many times an idle worker looks for work again before it parks.
    private static let spinsBeforeParking = 64

    /// Starts `workers` workers; `drive` is called for every run a worker takes, with the worker's index, and
    /// takes the worker's reference to the run over.
    init(workers: Int, drive: @escaping @Sendable (consuming RunScheduler, Int) -> Void) {
        workerCount = max(1, workers)
        self.drive = drive
        let pool = ObjectIdentifier(identity)
        self.workers = (0..<workerCount).map { Worker(pool: pool, index: $0) }
        for worker in self.workers {
            finished.enter()
            // A serial queue per worker: each gets a thread of its own (serial queues use Dispatch's
            // overcommitting pool), whereas one concurrent queue would run only as many workers as there are cores.
            DispatchQueue(label: "quickstep.worker.\(worker.index)", qos: .userInitiated).async { [self] in
                defer { finished.leave() }
                WorkerPool.setCurrent(worker)
                defer { WorkerPool.setCurrent(nil) }
                work(as: worker)
            }
        }
    }

    private func work(as worker: Worker) {
        var idleRounds = 0
        var tick = 0
        var isIdle = false
        defer { if isIdle { idle.wrappingDecrement(ordering: .relaxed) } }
        while true {
            tick &+= 1
            if worker.hasErrands.load(ordering: .relaxed) { runErrands(of: worker) }
            if let run = next(for: worker, tick: tick) {
                if isIdle {
                    isIdle = false
                    idle.wrappingDecrement(ordering: .relaxed)
                }
                idleRounds = 0
                drive(consume run, worker.index)
                continue
            }
            if stopping.load(ordering: .relaxed) { return }
            if !isIdle {
                isIdle = true
                idle.wrappingIncrement(ordering: .relaxed)
            }
            idleRounds += 1
            if idleRounds < Self.spinsBeforeParking {
                if idleRounds > Self.spinsBeforeParking / 2 { sched_yield() }
                continue
            }
            idleRounds = 0
            parker.park { hasWork || worker.hasErrands.load(ordering: .sequentiallyConsistent) || stopping.load(ordering: .relaxed) }
        }
    }

    /// Runs the errands waiting for `worker`, on its thread.
    private func runErrands(of worker: Worker) {
        // Cleared before the list is taken: an errand added after the take sets it again.
        worker.hasErrands.store(false, ordering: .sequentiallyConsistent)
        let errands = worker.errands.withLock { list in
            defer { list = [] }
            return list
        }
        for errand in errands { errand() }
    }

    /// Runs `body` once on each worker, between the runs it drives, with the worker's index, and returns when every
    /// worker has run it; runs that `body` queues go to that worker's own deque. Call it from a thread outside the
    /// pool: a worker waiting for the others while they wait for it would never return. If the pool is stopping, or
    /// stops meanwhile, it returns, and workers that had not run `body` never will.
    func runOnEachWorker(_ body: @escaping @Sendable (Int) -> Void) {
        precondition(currentWorker() == nil, "runOnEachWorker called from one of the pool's own workers")
        guard !stopping.load(ordering: .relaxed) else { return }
        // A count and a semaphore rather than a group: errands a stopped pool never runs leave a group entered, and
        // libdispatch never frees a group that is.
        let countdown = Countdown(workers.count)
        for worker in workers {
            let index = worker.index
            worker.errands.withLock { $0.append { body(index); countdown.countDown() } }
            worker.hasErrands.store(true, ordering: .sequentiallyConsistent)
        }
        // Parked workers are woken one at a time, by whichever parked worker the semaphore releases: one that has run
        // its errand may park again and take a wake-up meant for another, so the wake-ups go on until all have run.
        repeat {
            for _ in workers { parker.wakeOne() }
        } while countdown.finished.wait(timeout: .now() + .milliseconds(1)) == .timedOut
            && !stopping.load(ordering: .relaxed)
    }

    /// How many workers have an errand of one ``runOnEachWorker(_:)`` still to run; the last signals `finished`.
    private final class Countdown: Sendable {
        private let remaining: Atomic<Int>
        let finished = DispatchSemaphore(value: 0)

        init(_ count: Int) { remaining = Atomic(count) }

        func countDown() {
            if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finished.signal() }
        }
    }

    /// The worker's own oldest run, else the oldest injected, else one stolen from another worker.
    ///
    /// The worker takes its own runs first in, first out (from the deque's top, as a thief would: one
    /// compare-and-swap): newest first is kinder to caches, but a chain of executions that each start the next
    /// then keeps the newest end busy and starves the rest (measured: p99 latency of 0.2 to 1.4 s instead of
    /// milliseconds with 1,000 executions in flight). Every 61st take looks at the injection queue first, as Go's
    /// and Tokio's schedulers do, so work from other threads is not starved by local work either.
    private func next(for worker: Worker, tick: Int) -> RunScheduler? {
        // The injection queue is served in proportion to its share of the waiting work: every take while it holds
        // at least as much as this worker's deque, else every (own / injected + 1)-th take, and at least every
        // 61st. Runs that came from outside then wait about as long as the worker's own. Serving it only while it
        // held more than the deque left a burst of a thousand starts behind executions chained on the workers
        // once the two were level: served every 61st take, the last of them waited 1.5 s (map_100x3, p99, one
        // worker; p50 57 ms).
        let injected = injection.approximateCount
        if injected > 0, tick % Self.injectionPeriod(own: worker.deque.approximateCount, injected: injected) == 0,
            let run = injection.dequeue()
        {
            return run
        }
        if let run = worker.deque.steal() { return run }
        if let run = injection.dequeue() { return run }
        let count = workers.count
        guard count > 1 else { return nil }
        for offset in 1..<count {
            if let run = workers[(worker.index + offset) % count].deque.steal() { return run }
        }
        return nil
    }

    /// Every how many takes a worker with `own` runs in its deque serves an injection queue holding `injected`.
    static func injectionPeriod(own: Int, injected: Int) -> Int {
        min(61, own / max(1, injected) + 1)
    }

    private var hasWork: Bool {
        injection.hasElements || workers.contains { $0.deque.hasElements }
    }

    /// How many workers are looking for work or parked for want of it (a snapshot).
    var idleWorkers: Int { idle.load(ordering: .relaxed) }

    /// Queues a run; safe from any thread. On one of this pool's workers it goes to that worker's deque.
    ///
    /// The reference is taken over: a caller that hands its own over (`submit(consume run)`, as a new execution's
    /// start does) spares a retain and a release, the caller's release of a reference the queue had retained.
    func submit(_ scheduler: consuming RunScheduler) {
        submit(consume scheduler, from: currentWorker())
    }

    /// ``submit(_:)`` from `worker`, the calling thread's ``currentWorker()`` (nil off the pool), which the caller
    /// read already: a start reads it once for its counters' stripe and its queue (the thread-local read was a call
    /// each time).
    func submit(_ scheduler: consuming RunScheduler, from worker: Unmanaged<Worker>?) {
        // Turned into the bits the queues store at once: the retain and the consumed parameter's release meet and
        // cancel out.
        let retained = Unmanaged.passRetained(consume scheduler)
        // The worker read borrowed: taking it (and its deque) retained and released both, per start.
        if let worker, worker._withUnsafeGuaranteedRef({ $0.deque.push(retained: retained) }) {
            // Idle workers may steal it.
            parker.wakeOne()
            return
        }
        injection.enqueue(retained: retained)
        parker.wakeOne()
    }

    /// Stops the workers after the runs they are driving; queued runs are left undriven.
    func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        parker.release(workerCount)
        finished.wait()
    }

    // MARK: The current worker

    /// ``sharedCurrentKey``, read from the pool: a `static` is reached through its lazy initialisation's check, a
    /// call, on every read, and every start reads the key twice.
    private let currentKey = WorkerPool.sharedCurrentKey

    private static let sharedCurrentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The worker running on this thread, if it is one of this pool's; unretained (a pool's workers live as long as
    /// the pool, and the thread is that worker for as long as it runs this call).
    func currentWorker() -> Unmanaged<Worker>? {
        // Read borrowed: binding it retained and released it per start.
        guard let pointer = pthread_getspecific(currentKey) else { return nil }
        let worker = Unmanaged<Worker>.fromOpaque(pointer)
        return worker._withUnsafeGuaranteedRef { $0.pool == ObjectIdentifier(identity) } ? worker : nil
    }

    /// `worker`'s index, read borrowed.
    static func index(of worker: Unmanaged<Worker>) -> Int {
        worker._withUnsafeGuaranteedRef { $0.index }
    }

    private static func setCurrent(_ worker: Worker?) {
        pthread_setspecific(sharedCurrentKey, worker.map { Unmanaged.passUnretained($0).toOpaque() })
    }
}
