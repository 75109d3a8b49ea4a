import QuickstepJSON

/// Running executions by ARN, and a fixed-capacity ring of the most recently finished ones, so that describe,
/// list and history work while memory stays flat however many executions run.
///
/// Every execution passes through here twice (added, finished) from whichever threads start and end it, so the
/// running set is keyed by the random 128-bit id that ends every engine execution's ARN (no string is hashed or
/// even built) and split into stripes, each with its own lock and ``RunningSet``, chosen by the id's low six bits.
/// Those bits name the worker that started the execution (``UUIDv4/pair(seed:stream:position:)``), so a worker's
/// executions go to a stripe of its own and are added and removed there without a line another worker writes.
/// A lookup by ARN reads the id from the ARN's end and then checks the whole ARN. The ring (``FinishedRing``, a
/// segment per finishing thread) keeps the finished run itself (no description is built unless asked for) and is
/// searched when a finished execution is looked up: lookups are rare, finishes are not.
final class ExecutionRegistry: Sendable {
    /// A finished run with when it finished. Its outcome is the run's own (``RunState/result``, set once before it
    /// is finished here): copying the result into the ring as well retained and released its five fields.
    private struct Finished {
        var run: UncheckedBox<RunState>
        var stopDate: Int64
        var result: ExecutionResult { run.value.result! }
    }

    private static let stripeCount = Int(UUIDv4.streamMask) + 1
    private let stripes: LockedStripes<RunningSet<RunState>>
    private let ring: FinishedRing<Finished>

    /// A registry showing the `capacity` most recently finished executions, finished from `segments` threads
    /// (see ``finish(_:stopTime:segment:)``).
    init(capacity: Int, segments: Int) {
        stripes = LockedStripes(count: Self.stripeCount) { _ in RunningSet<RunState>() }
        ring = FinishedRing(capacity: max(1, capacity), segments: segments)
    }

    /// The stripe of the run with id `key`: for ids from a worker's stream, that worker's.
    private func stripe(_ key: UUIDv4.Bits) -> Int {
        Int(truncatingIfNeeded: key.low) & (Self.stripeCount - 1)
    }

    /// The id at the end of an engine execution's ARN.
    private static func key(_ arn: String) -> UUIDv4.Bits? {
        UUIDv4.bits(arn.suffix(36))
    }

    func add(_ run: RunState) {
        let key = run.identity.id!
        stripes.withLock(stripe(key)) { $0.insert(run, for: key) }
    }

    /// Posts an execution timeout to every running execution past its deadline.
    func timeOutOverdue(now: Int64) {
        for stripe in 0..<stripes.count {
            let overdue = stripes.withLock(stripe) { running in running.filter { $0.deadline <= now } }
            for run in overdue { run.scheduler.deliver(.executionTimeout) }
        }
    }

    func running(_ arn: String) -> RunState? {
        guard let key = Self.key(arn), let run = stripes.withLock(stripe(key), { $0.run(for: key) }) else { return nil }
        return run.identity.executionArn == arn ? run : nil
    }

    /// Moves a run whose ``RunState/result`` is set from the running set to the ring's segment `segment` (the
    /// finishing thread's: a worker's, or 0 outside the pool); `stopTime` in nanoseconds since the epoch. The
    /// caller's reference goes into the ring.
    func finish(_ run: consuming RunState, stopTime: Int64, segment: Int) {
        // Only a run that parked is among the running ones (see ``Engine``'s submitExecution).
        let key = run.isRegistered ? run.identity.id : nil
        let finished = Finished(run: UncheckedBox(consume run), stopDate: stopTime / 1_000_000)
        // In the ring before it leaves the running set, so a describe in between finds it in one or the other.
        let evicted = ring.append(consume finished, order: stopTime, segment: segment)
        guard let key else { return }
        let removed = stripes.withLock(stripe(key)) { $0.remove(key) }
        _ = (evicted, removed)  // released here, outside both locks
    }

    func describe(_ arn: String) -> ExecutionDescription? {
        if let run = running(arn) { return Self.describe(run, finished: nil) }
        return findFinished(arn).map { Self.describe($0.run.value, finished: $0) }
    }

    func history(_ arn: String) -> [JSONValue]? {
        guard let finished = findFinished(arn) else { return nil }
        return finished.result.status == .succeeded && !finished.run.value.keepsHistoryOnSuccess ? [] : finished.result.history
    }

    private func findFinished(_ arn: String) -> Finished? {
        guard let key = Self.key(arn) else { return nil }
        // The id first: spelling an ARN allocates.
        return ring.newest { $0.run.value.identity.id == key && $0.run.value.identity.executionArn == arn }
    }

    func list() -> [ExecutionDescription] {
        var running: [ExecutionDescription] = []
        for stripe in 0..<stripes.count {
            running += stripes.withLock(stripe) { $0.all.map { Self.describe($0, finished: nil) } }
        }
        var finished: [Finished] = []
        ring.forEachNewestFirst { entry in
            finished.append(entry)
            return true
        }
        return running.sorted { $0.startDate > $1.startDate } + finished.map { Self.describe($0.run.value, finished: $0) }
    }

    /// Reading a running execution's fields from another thread is racy, so a running execution is described from
    /// its immutable identity only.
    private static func describe(_ run: RunState, finished: Finished?) -> ExecutionDescription {
        let status: ExecutionDescription.Status
        switch finished?.result.status {
        case nil: status = .running
        case .succeeded?: status = .succeeded
        case .failed?: status = .failed
        case .timedOut?: status = .timedOut
        case .aborted?: status = .aborted
        }
        return ExecutionDescription(
            executionArn: run.identity.executionArn, stateMachineName: run.identity.stateMachineName,
            name: run.identity.executionName, status: status, startDate: run.identity.startTime,
            stopDate: finished?.stopDate, input: run.identity.input,
            output: finished?.result.output, error: finished?.result.error, cause: finished?.result.cause)
    }
}
