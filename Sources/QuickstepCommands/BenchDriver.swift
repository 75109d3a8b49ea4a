import Dispatch
import Histogram
import QuickstepEngine
import QuickstepJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps executions in flight in chains (one per unit of concurrency): each completion starts its chain's next
/// execution from the worker that finished it, so the engine, not a driving thread, sets the pace. Records each
/// execution's latency, from its start to its completion, as the engine timed them (the result's start and stop
/// times: a clock reading of the driver's own per execution was 4 % of pass_chain_10's time with 2 workers).
///
/// The driver stays out of the engine's way: what the workers write for it is theirs alone. Each chain has its own
/// share of the executions, counted down in the tag each execution carries (``Tag``), so a completion learns its
/// chain and what is left of the chain's share from the tag itself and writes no memory for it; latencies go to the
/// recording thread's own histogram. Counters and histograms shared by every worker were atomic writes and a lock per
/// execution on lines all workers wrote, charged to the engine; and a counter per chain in one array, even on lines
/// of its own, cost two workers with a thousand chains a third of their throughput on this machine whenever its two
/// cores were far apart (ping-pong 400 ns): each worker walks its chains in order, so its cache's prefetcher fetched
/// the next counters, the other worker's among them, which the other then had to take back for its next write.
///
/// Each thread that starts executions takes the input from a copy of its own (``PerThreadInputs``), as a consumer on
/// each core parses each event into a value of its own: one input shared by every execution puts the reference
/// count of its JSON containers on a cache line all workers write (measured: with 2 workers, the contended retains
/// of the shared input were a third of pass_chain_10's retain and release time). A chain's next execution starts on
/// the worker that finished its last, so a worker's executions share its copy, which stays in its cache. (64
/// copies shared round-robin by the chains put each copy's releases on both workers, 6 % of pass_chain_10's samples
/// with 2 workers; a copy per chain, 1,000 of them, took map_100x3's 100-item inputs out of the cache: 9 to 16 µs
/// of CPU per execution.)
///
/// Completions come through the engine's one tagged completion handler, each execution tagged with its chain, as a
/// stream consumer's would come tagged with their events' offsets (``Engine/submitExecution(stateMachine:input:inputByteCount:name:tag:)``).
/// A closure per execution was an allocation and a free per execution charged to the engine (300 of pass_chain_10's
/// 6,900 instructions per execution, callgrind), and a closure per chain two atomic updates of its context's count.
final class BenchDriver: @unchecked Sendable {
    private let engine: Engine
    private let machineName: String
    private let inputs: PerThreadInputs
    /// The length of the input's JSON text, given with every start as a stream consumer gives each event's.
    private let inputByteCount: Int
    private let deadline: UInt64?
    private let executions: Int
    private let chains: Int
    /// Per chain, how many executions it started, written once, when the chain stops (read for ``issued``).
    private let startedByChain: UnsafeMutablePointer<Int>
    private let chainsDone = Atomic<Int>(0)
    /// When the last chain stopped (``DispatchTime`` nanoseconds), and the signal that it did.
    private let endTime = Atomic<UInt64>(0)
    private let ended = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)
    private let latencies = PerThreadHistograms()

    /// A driver of `executions` executions of `machineName` in `chains` chains, on inputs taken from `inputs` (shared
    /// with a warm-up driver, so that the threads' copies are made before the timed run).
    init(engine: Engine, machineName: String, inputs: PerThreadInputs, inputByteCount: Int, executions: Int, chains: Int,
         deadline: UInt64?) {
        self.engine = engine
        self.machineName = machineName
        self.inputs = inputs
        self.inputByteCount = inputByteCount
        self.deadline = deadline
        self.executions = executions
        self.chains = chains
        startedByChain = .allocate(capacity: chains)
        startedByChain.initialize(repeating: 0, count: chains)
    }

    /// Chain `chain`'s share of the executions: an equal share, one more for the first `executions % chains`.
    private func share(of chain: Int) -> Int {
        executions / chains + (chain < executions % chains ? 1 : 0)
    }

    deinit {
        startedByChain.deallocate()
    }

    /// Starts every chain, each worker its share of them (chain `c` on worker `c` modulo the workers), and returns
    /// once all have started. The engine's tagged completions must reach ``complete(_:_:)`` (see ``Relay``).
    ///
    /// Each worker starts its own chains so that their runs are allocated by the worker that drives and frees them
    /// for the rest of the run. Started from this thread, the runs were handed to the workers alternately, then freed
    /// into each worker's allocator cache and made again from it for every later execution of their chains, so each
    /// worker's runs lay interleaved with the other's for good: on this machine, when its two cores were far apart,
    /// two workers with a thousand chains ran pass_chain_10 at 6M–8M executions/s where they otherwise ran 11M
    /// (`perf/results/2026-11-30-profile-15.md`).
    func start() {
        let workers = max(1, engine.configuration.workers)  // as many as the engine runs
        engine.runOnEachWorker { [self] worker in
            inputs.withOwn { input in
                for chain in stride(from: worker, to: chains, by: workers) {
                    startNext(Tag(chain: chain, left: share(of: chain)), input: input)
                }
            }
        }
    }

    /// Where the engine's tagged completions go (``EngineConfiguration/taggedCompletion``): the driver, attached once
    /// it exists (the engine is made first), read borrowed (a retained reference would be a count every worker
    /// writes per execution). The command keeps the driver until every execution has completed.
    final class Relay: @unchecked Sendable {
        private var driver: Unmanaged<BenchDriver>?

        init() {}

        /// Sends completions to `driver` from now on; call it before the driver starts.
        func attach(_ driver: BenchDriver) {
            self.driver = Unmanaged.passUnretained(driver)
        }

        func completed(tag: UInt64, _ result: ExecutionResult) {
            driver.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.complete(Tag(bits: tag), result) }
        }
    }

    /// The most chains a driver runs: a chain's number takes 24 bits of its executions' tags (``Tag``).
    static let maximumChains = 1 << 24

    /// What an execution's tag says: its chain, and how many of the chain's share are left to start after it.
    struct Tag {
        let chain: Int
        let left: Int

        /// The chain in the low 24 bits (``BenchDriver/maximumChains``), the count above them.
        var bits: UInt64 { UInt64(left) << 24 | UInt64(chain) }
    }

    /// Records the latency of the execution with tag `tag` that just completed and starts its chain's next one.
    ///
    /// The thread's histogram holds the thread's input too, so one thread-local read finds both (a read each was
    /// two calls per execution charged to the engine).
    fileprivate func complete(_ tag: Tag, _ result: ExecutionResult) {
        latencies.withOwn(madeWith: inputs) { own in
            own.record(UInt64(max(0, result.stopNanoseconds - result.startNanoseconds)))
            startNext(tag, input: own.input)
        }
    }

    /// Whether every chain has started its last execution, or stopped (time is up, or a start failed).
    var isDone: Bool { chainsDone.load(ordering: .acquiring) == chains }

    /// Blocks until ``isDone``, calling `tick` about every `interval` seconds meanwhile (the progress line). Returns
    /// when the last chain stopped, in ``DispatchTime`` nanoseconds: taken by that chain's thread as it stopped, so a
    /// timed run ends when its work did, not when a polling thread next looked (polling every 10 ms added up to
    /// 10 ms to runs of 50 ms).
    func waitUntilDone(tickingEvery interval: Double, _ tick: () -> Void) -> UInt64 {
        while ended.wait(timeout: .now() + interval) == .timedOut { tick() }
        return endTime.load(ordering: .acquiring)
    }

    /// Counts a chain that has stopped, with `left` of its share not started; the last one notes the time and wakes
    /// ``waitUntilDone(tickingEvery:_:)``.
    private func chainStopped(_ chain: Int, left: Int) {
        startedByChain[chain] = share(of: chain) - left  // before the count that publishes it
        guard chainsDone.add(1, ordering: .acquiringAndReleasing).newValue == chains else { return }
        endTime.store(DispatchTime.now().uptimeNanoseconds, ordering: .releasing)
        ended.signal()
    }
    /// How many executions were started; read once ``isDone``.
    var issued: Int { (0..<chains).reduce(0) { $0 + startedByChain[$1] } }
    var startFailure: String? { failure.withLock { $0 } }
    private var pastDeadline: Bool { deadline.map { DispatchTime.now().uptimeNanoseconds >= $0 } ?? false }

    /// Starts the next execution of the chain `tag` names on `input` (the calling thread's copy), unless its share is
    /// done or time is up.
    private func startNext(_ tag: Tag, input: JSONValue) {
        guard tag.left > 0, !pastDeadline else {
            chainStopped(tag.chain, left: tag.left)
            return
        }
        do throws(EngineError) {
            try engine.submitExecution(stateMachine: machineName, input: input, inputByteCount: inputByteCount,
                                       tag: Tag(chain: tag.chain, left: tag.left - 1).bits)
        } catch {
            failure.withLock { $0 = "\(error)" }
            chainStopped(tag.chain, left: tag.left)
        }
    }

    func mergedLatencies() -> Histogram<UInt64> {
        latencies.merged()
    }
}

/// The bench's input, a deep copy for each thread that asks (made the first time it asks), so that no two threads
/// start executions on one value (see ``BenchDriver``).
final class PerThreadInputs: @unchecked Sendable {
    private let original: JSONValue
    private let key: pthread_key_t
    /// Keeps the copies alive; each thread reads its own through the key.
    private let all = Mutex<[Box]>([])

    private final class Box: Sendable {
        let value: JSONValue
        init(_ value: JSONValue) { self.value = value }
    }

    init(_ input: JSONValue) {
        original = input
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }

    deinit {
        pthread_key_delete(key)
    }

    /// Calls `body` with the calling thread's copy, borrowed: returned, the copy was retained for the caller and
    /// released after the start, one more pair of atomic writes per execution charged to the engine.
    func withOwn<Result>(_ body: (JSONValue) -> Result) -> Result {
        let own = pthread_getspecific(key) ?? made()
        return Unmanaged<Box>.fromOpaque(own)._withUnsafeGuaranteedRef { body($0.value) }
    }

    /// Makes the calling thread's copy (the first time it asks).
    private func made() -> UnsafeMutableRawPointer {
        let box = Box(original.deepCopy())
        all.withLock { $0.append(box) }
        let pointer = Unmanaged.passUnretained(box).toOpaque()
        pthread_setspecific(key, pointer)
        return pointer
    }
}

/// Latency histograms, one per thread that records (each worker its own), merged when asked.
///
/// The key is a constant and the thread's histogram is read borrowed: a `var` key had its every read checked for
/// exclusive access, and taking the histogram retained and released it (together 120 of the 320 instructions a
/// record took, callgrind).
final class PerThreadHistograms: @unchecked Sendable {
    private let key: pthread_key_t
    private let all = Mutex<[LatencyHistogram]>([])

    init() {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }

    deinit {
        pthread_key_delete(key)
    }

    /// Calls `body` with the calling thread's histogram, borrowed; made the first time the thread asks, with the
    /// thread's copy of the input from `inputs`.
    func withOwn<Result>(madeWith inputs: PerThreadInputs, _ body: (LatencyHistogram) -> Result) -> Result {
        let own = pthread_getspecific(key) ?? made(with: inputs)
        return Unmanaged<LatencyHistogram>.fromOpaque(own)._withUnsafeGuaranteedRef(body)
    }

    private func made(with inputs: PerThreadInputs) -> UnsafeMutableRawPointer {
        let histogram = inputs.withOwn { LatencyHistogram(input: $0) }
        all.withLock { $0.append(histogram) }  // keeps it alive
        let pointer = Unmanaged.passUnretained(histogram).toOpaque()
        pthread_setspecific(key, pointer)
        return pointer
    }

    /// All threads' latencies. Call it only once every execution has finished and ``Engine/waitUntilIdle()`` has
    /// returned (see ``LatencyHistogram``).
    func merged() -> Histogram<UInt64> {
        var merged = LatencyHistogram.empty()
        for histogram in all.withLock({ $0 }) { merged.add(histogram.values) }
        return merged
    }
}

/// Nanosecond latencies up to a minute, three significant digits, written by one thread (its recorder's) without a
/// lock: a lock taken per record was two atomic operations per execution charged to the engine. It is read once
/// every execution has finished: each record is made in a completion callback, which the engine runs before it
/// counts the execution finished, and ``Engine/waitUntilIdle()`` returns after reading every count, so every
/// record happens before the read.
final class LatencyHistogram: @unchecked Sendable {
    @exclusivity(unchecked) private(set) var values = LatencyHistogram.empty()
    /// The recording thread's copy of the input (``PerThreadInputs``), which its next start takes.
    let input: JSONValue

    init(input: JSONValue) {
        self.input = input
    }

    static func empty() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    func record(_ nanoseconds: UInt64) {
        _ = values.record(nanoseconds)
    }
}

extension BenchDriver.Tag {
    /// The tag whose ``bits`` are `bits` (an extension, so that the memberwise initializer stays).
    init(bits: UInt64) {
        self.init(chain: Int(bits & 0xFF_FFFF), left: Int(bits >> 24))
    }
}
