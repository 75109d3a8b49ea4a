/// The host of runs driven by the engine's workers: real time, timers on the ``TimerService``, and wake-ups that
/// queue a parked run on the ``WorkerPool`` unless a worker already has it.
///
/// The engine makes one per counters stripe (each worker's, and one for threads outside the pool): every run's
/// strand holds its host, and one host shared by all had its reference count written by every worker on every
/// start and every free. Each is padded to two cache lines of its own (objects allocated one after another lie
/// side by side).
final class PoolHost: RunHost {
    let timers: TimerService
    let pool: WorkerPool
    let fanOut: EngineConfiguration.FanOut
    /// Fills the object (16-byte header, two references and a byte, so 40 bytes) to 128 bytes, an allocation size
    /// class whose objects start on 128-byte boundaries.
    private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    init(timers: TimerService, pool: WorkerPool, fanOut: EngineConfiguration.FanOut) {
        self.timers = timers
        self.pool = pool
        self.fanOut = fanOut
        super.init()
    }

    override var fanOutWidth: Int {
        switch fanOut {
        case .never: 1
        case .always: pool.workerCount
        // A synchronous start runs on the caller's thread while every worker may be idle: at most one per worker.
        case .whenIdle: min(pool.workerCount, 1 + pool.idleWorkers)
        }
    }

    override func now() -> Int64 { RunScheduler.wallClockMilliseconds() }

    override func addTimer(due: Int64, for scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        timers.add(due: due, for: scheduler, action)
    }

    override func addTimer(due: Int64, ticket: TimerTicket) {
        timers.add(due: due, ticket: ticket)
    }

    override func wake(_ scheduler: RunScheduler) {
        if scheduler.isScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            pool.submit(scheduler)
        }
    }
}
