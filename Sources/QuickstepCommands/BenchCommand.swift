import ArgumentParser
import Dispatch
import Foundation
import Histogram
import QuickstepEngine
import QuickstepJSON
import Synchronization

/// `quickstep bench`: drives the engine with many executions and reports throughput, latency and memory.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a state machine many times on the engine and report executions/s, latency and memory.",
        discussion: """
            Runs executions for --warmup seconds untimed, then keeps --concurrency executions in flight until --executions \
            have run (or --duration seconds have passed), and prints for those executions/s, state transitions/s, \
            latency percentiles (start to end of each execution), peak RSS and the counters. Fails (exit 1) if any \
            execution is unaccounted for.

            Example: quickstep bench Examples/order_processing.json --input Examples/order_processing.input.json \
            --mock-config Examples/order_processing.mock.json --test-case HappyPath --executions 100000
            """
    )

    @OptionGroup var workload: WorkloadOptions

    @Option(help: "How many executions to run.")
    var executions = 100_000

    @Option(help: "How many executions are in flight at once.")
    var concurrency = 1000

    @Option(help: "Worker threads (default: one per core).")
    var workers = EngineConfiguration.processorCount

    @Option(help: "Stop starting executions after this many seconds.")
    var duration: Double?

    @Option(help: """
        Seconds of executions run first, in the same way but untimed and left out of every figure, so that the \
        timed run starts warm: the workers running at speed, each one's copy of the input made, its allocator \
        caches and the finished ring filled. 0 for none.
        """)
    var warmup = 0.5

    /// When the warm-up that starts now stops starting executions, in ``DispatchTime`` nanoseconds.
    private func warmupDeadline() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds + UInt64(warmup * 1e9)
    }

    @Flag(help: """
        Start the executions one at a time with StartSyncExecution on this thread (--concurrency is ignored) and \
        report its in-process latency: an execution that never parks runs entirely on the caller's thread.
        """)
    var sync = false

    @Flag(help: "Print one JSON line for scripts.")
    var json = false

    func validate() throws {
        guard executions > 0, concurrency > 0, workers > 0 else { throw ValidationError("--executions, --concurrency and --workers must be positive") }
        guard concurrency <= BenchDriver.maximumChains else {
            throw ValidationError("--concurrency must be at most \(BenchDriver.maximumChains)")
        }
        guard warmup >= 0, warmup.isFinite else { throw ValidationError("--warmup must be a number of seconds, 0 or more") }
    }

    func run() throws {
        let loaded = try workload.load()
        let machineName = loaded.machineName
        let inputValue = loaded.input
        let relay = BenchDriver.Relay()
        var configuration = EngineConfiguration(workers: workers)
        configuration.taggedCompletion = { tag, result in relay.completed(tag: tag, result) }
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        engine.handlers.registerBuiltIns()
        engine.register(Program(loaded.machine), name: machineName, mocks: loaded.mocks)

        if sync {
            try runSynchronously(engine: engine, machineName: machineName, input: inputValue, inputByteCount: loaded.inputByteCount)
            return
        }
        // One copy of the input per thread, made during the warm-up and kept for the timed run.
        let inputs = PerThreadInputs(inputValue)
        var warmedUp = 0
        if warmup > 0 {
            // As many executions as the time allows: the deadline stops the chains.
            let warm = BenchDriver(engine: engine, machineName: machineName, inputs: inputs, inputByteCount: loaded.inputByteCount,
                                   executions: Int(Int32.max), chains: concurrency, deadline: warmupDeadline())
            relay.attach(warm)
            warm.start()
            _ = warm.waitUntilDone(tickingEvery: 1) {}
            engine.waitUntilIdle()
            try check(warm)
            warmedUp = warm.issued
        }
        let baseline = engine.counters
        let driver = BenchDriver(
            engine: engine, machineName: machineName, inputs: inputs, inputByteCount: loaded.inputByteCount, executions: executions,
            chains: min(concurrency, executions), deadline: duration.map { DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) })
        relay.attach(driver)
        let progress = ProgressLine(enabled: !json && isatty(STDOUT_FILENO) != 0, total: executions)
        let start = DispatchTime.now().uptimeNanoseconds
        driver.start()
        let end = driver.waitUntilDone(tickingEvery: progress.enabled ? 0.1 : 1) { progress.update(engine.counters.since(baseline)) }
        engine.waitUntilIdle()
        try check(driver)
        progress.finish()
        try report(engine: engine, baseline: baseline, warmedUp: warmedUp, issued: driver.issued, seconds: Double(end - start) / 1e9,
                   latencies: driver.mergedLatencies(), concurrency: concurrency)
    }

    /// Fails (exit 2) when the driver could not start an execution.
    private func check(_ driver: BenchDriver) throws {
        if let failure = driver.startFailure {
            printError(failure)
            throw ExitCode(2)
        }
    }

    /// Prints the figures of the timed run (the counters since `baseline`, read after the `warmedUp` executions of
    /// the warm-up), then fails (exit 1) unless every issued execution started and finished.
    private func report(engine: Engine, baseline: EngineCounters, warmedUp: Int, issued: Int, seconds: Double,
                        latencies: Histogram<UInt64>, concurrency: Int) throws {
        let counters = engine.counters.since(baseline)
        let (p50, p99, p999) = (latencies.valueAtPercentile(50), latencies.valueAtPercentile(99), latencies.valueAtPercentile(99.9))
        let report = BenchReport(
            executions: issued, warmup: warmedUp, counters: counters, seconds: seconds, p50: Double(p50) / 1000,
            p99: Double(p99) / 1000, p999: Double(p999) / 1000, peakRSSBytes: PeakMemory.residentBytes(), workers: workers,
            concurrency: concurrency)
        print(json ? report.json.compactText : report.text)
        let accounted = counters.succeeded + counters.failed + counters.timedOut + counters.aborted
        if counters.started != issued || accounted != issued || counters.running != 0 {
            printError("unaccounted executions: started \(counters.started), finished \(accounted), issued \(issued)")
            throw ExitCode(1)
        }
    }
}

extension BenchCommand {
    /// `--sync`: one StartSyncExecution after another on this thread, each timed from the call to its return.
    private func runSynchronously(engine: Engine, machineName: String, input: JSONValue, inputByteCount: Int) throws {
        let warmupEnd = warmupDeadline()
        var warmedUp = 0
        while DispatchTime.now().uptimeNanoseconds < warmupEnd {
            _ = try engine.startSyncExecution(stateMachine: machineName, input: input, inputByteCount: inputByteCount)
            warmedUp += 1
        }
        engine.waitUntilIdle()
        let baseline = engine.counters
        var latencies = LatencyHistogram.empty()
        let deadline = duration.map { DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) }
        let start = DispatchTime.now().uptimeNanoseconds
        var issued = 0
        while issued < executions, deadline.map({ DispatchTime.now().uptimeNanoseconds < $0 }) ?? true {
            let began = DispatchTime.now().uptimeNanoseconds
            _ = try engine.startSyncExecution(stateMachine: machineName, input: input, inputByteCount: inputByteCount)
            _ = latencies.record(DispatchTime.now().uptimeNanoseconds - began)
            issued += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        engine.waitUntilIdle()
        try report(engine: engine, baseline: baseline, warmedUp: warmedUp, issued: issued, seconds: seconds, latencies: latencies,
                   concurrency: 1)
    }
}

/// The figures of one bench run.
struct BenchReport {
    var executions: Int
    /// Executions run before the timed ones (not in any other figure).
    var warmup: Int
    var counters: EngineCounters
    var seconds: Double
    var p50: Double
    var p99: Double
    var p999: Double
    var peakRSSBytes: Int
    var workers: Int
    var concurrency: Int

    var executionsPerSecond: Double { Double(executions) / seconds }
    var transitionsPerSecond: Double { Double(counters.stateTransitions) / seconds }

    var json: JSONValue {
        [
            "executions": .int(Int64(executions)), "warmup": .int(Int64(warmup)), "succeeded": .int(Int64(counters.succeeded)),
            "failed": .int(Int64(counters.failed)), "timedOut": .int(Int64(counters.timedOut)),
            "aborted": .int(Int64(counters.aborted)), "seconds": .double(seconds),
            "executionsPerSecond": .double(executionsPerSecond.rounded()), "transitionsPerSecond": .double(transitionsPerSecond.rounded()),
            "latencyMicros": ["p50": .double(p50), "p99": .double(p99), "p999": .double(p999)],
            "peakRSSBytes": .int(Int64(peakRSSBytes)), "workers": .int(Int64(workers)), "concurrency": .int(Int64(concurrency)),
        ]
    }

    var text: String {
        func format(_ value: Double) -> String { String(format: "%.0f", value) }
        return """
            executions       \(executions) in \(String(format: "%.3f", seconds)) s (\(workers) workers, \(concurrency) in flight, \
            after \(warmup) untimed)
            executions/s     \(format(executionsPerSecond))
            transitions/s    \(format(transitionsPerSecond))
            latency µs       p50 \(String(format: "%.1f", p50))  p99 \(String(format: "%.1f", p99))  p99.9 \(String(format: "%.1f", p999))
            peak RSS         \(peakRSSBytes / 1_048_576) MiB
            counters         started \(counters.started), succeeded \(counters.succeeded), failed \(counters.failed), \
            timed out \(counters.timedOut), aborted \(counters.aborted), running \(counters.running)
            """
    }
}

extension EngineCounters {
    /// The counts since `baseline` was read (a warm-up's), executions running now as they are.
    func since(_ baseline: EngineCounters) -> EngineCounters {
        EngineCounters(started: started - baseline.started, succeeded: succeeded - baseline.succeeded,
                       failed: failed - baseline.failed, timedOut: timedOut - baseline.timedOut,
                       aborted: aborted - baseline.aborted, running: running,
                       stateTransitions: stateTransitions - baseline.stateTransitions)
    }
}

/// The process's peak resident set size.
enum PeakMemory {
    static func residentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
        return usage.ru_maxrss
        #endif
    }
}

/// A one-line progress bar, redrawn at most ten times a second, on a terminal only.
final class ProgressLine {
    let enabled: Bool
    let total: Int
    private var lastDraw: UInt64 = 0

    init(enabled: Bool, total: Int) {
        self.enabled = enabled
        self.total = total
    }

    func update(_ counters: EngineCounters) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let done = counters.started - counters.running
        let width = 30
        let filled = min(width, done * width / max(1, total))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardOutput.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
    }
}
