/// The host of runs driven by the engine's workers: real time, timers on the ``TimerService``, and wake-ups that
/// queue a parked run on the ``WorkerPool`` unless a worker already has it.
final class PoolHost: RunHost {
    let timers: TimerService
    let pool: WorkerPool
    let fanOut: EngineConfiguration.FanOut

    init(timers: TimerService, pool: WorkerPool, fanOut: EngineConfiguration.FanOut) {
        self.timers = timers
        self.pool = pool
        self.fanOut = fanOut
    }

    var fanOutWidth: Int {
        switch fanOut {
        case .never: 1
        case .always: pool.workerCount
        // A synchronous start runs on the caller's thread while every worker may be idle: at most one per worker.
        case .whenIdle: min(pool.workerCount, 1 + pool.idleWorkers)
        }
    }

    func now() -> Int64 { RunScheduler.wallClockMilliseconds() }

    func addTimer(due: Int64, for scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        timers.add(due: due, for: scheduler, action)
    }

    func wake(_ scheduler: RunScheduler) {
        if scheduler.isScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            pool.submit(scheduler)
        }
    }
}
