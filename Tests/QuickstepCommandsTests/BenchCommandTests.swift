import ArgumentParser
import Foundation
import QuickstepEngine
import Testing
@testable import QuickstepCommands

/// `quickstep bench` accounts for every execution it issues (it exits 1 otherwise), in both of its modes, and
/// rejects nonsense counts. Timing is not checked here: speed is measured in Benchmarks/ and perf/.
@Suite struct BenchCommandTests {
    static let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Workloads").path

    func arguments(_ name: String, _ extra: [String]) -> [String] {
        ["bench", "\(Self.workloads)/\(name).json", "--input", "\(Self.workloads)/\(name).input.json", "--json"] + extra
    }

    @Test(arguments: [["--executions", "500", "--concurrency", "50"], ["--executions", "200", "--sync"],
                      ["--executions", "7", "--concurrency", "50"], ["--executions", "100000000", "--duration", "0.05"]])
    func everyExecutionIsAccountedFor(extra: [String]) throws {
        for name in ["pass_chain_10", "map_100x3"] {
            var command = try QuickstepCommand.parseAsRoot(arguments(name, extra))
            try command.run()
        }
    }

    @Test func mockedWorkloadRunsInBothModes() throws {
        let mocks = ["--mock-config", "\(Self.workloads)/order_processing.mock.json", "--test-case", "HappyPath"]
        for mode in [["--executions", "300"], ["--executions", "100", "--sync"]] {
            var command = try QuickstepCommand.parseAsRoot(arguments("order_processing", mocks + mode))
            try command.run()
        }
    }

    @Test func nonPositiveCountsAreUsageErrors() {
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--executions", "0"])) }
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--workers", "-1"])) }
    }

    /// A chain's number takes 24 bits of its executions' tags: more chains than that are a usage error, not tags that
    /// name the wrong chain.
    @Test func tooManyChainsAreAUsageError() throws {
        let limit = "\(BenchDriver.maximumChains)", over = "\(BenchDriver.maximumChains + 1)"
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--concurrency", over])) }
        _ = try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--concurrency", limit]))
    }

    /// An execution's tag carries its chain and what is left of the chain's share, both whole at their extremes.
    @Test(arguments: [(0, 0), (BenchDriver.maximumChains - 1, 0), (5, 1), (BenchDriver.maximumChains - 1, Int(Int32.max))])
    func tagsCarryTheChainAndWhatIsLeft(chain: Int, left: Int) {
        let tag = BenchDriver.Tag(bits: BenchDriver.Tag(chain: chain, left: left).bits)
        #expect(tag.chain == chain && tag.left == left)
    }

    /// The driver splits the executions over its chains (shares differing by at most one), starts exactly that many,
    /// and records one latency per execution, from whichever threads finish them.
    @Test(arguments: [(1001, 50), (7, 7), (64, 1), (9001, 4500)])
    func driverStartsEveryShareAndRecordsEveryLatency(executions: Int, chains: Int) throws {
        // Completions reach the driver through the engine's tagged completion handler, as in `quickstep bench`.
        let relay = BenchDriver.Relay()
        var configuration = EngineConfiguration(workers: 2)
        configuration.taggedCompletion = { tag, result in relay.completed(tag: tag, result) }
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "P", definition: #"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)
        let driver = BenchDriver(engine: engine, machineName: "P", inputs: PerThreadInputs(["n": 1]), inputByteCount: 8,
                                 executions: executions, chains: chains, deadline: nil)
        relay.attach(driver)
        let start = DispatchTime.now().uptimeNanoseconds
        driver.start()
        let end = driver.waitUntilDone(tickingEvery: 0.01) {}
        #expect(driver.isDone)
        engine.waitUntilIdle()
        // The end is the time the last chain stopped: after the start, and already past when the wait returned.
        #expect(end >= start && end <= DispatchTime.now().uptimeNanoseconds)
        #expect(driver.issued == executions)
        #expect(engine.counters.succeeded == executions)
        #expect(driver.mergedLatencies().totalCount == UInt64(executions))
    }

    /// A warm-up's executions are left out of the timed run's counts: the command's accounting (exit 1 unless the
    /// counters match what the timed run issued) holds with warm-ups of every size, in both modes.
    @Test(arguments: [["--executions", "300", "--warmup", "0.05"], ["--executions", "300", "--warmup", "0"],
                      ["--executions", "100", "--warmup", "0.02", "--sync"], ["--executions", "100000000", "--duration", "0.05", "--warmup", "0.1"]])
    func warmupIsLeftOutOfTheFigures(extra: [String]) throws {
        var command = try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", extra))
        try command.run()
    }

    /// The counts since a baseline: each count less the baseline's, executions running now as they are.
    @Test func countersSinceABaseline() {
        let baseline = EngineCounters(started: 10, succeeded: 7, failed: 1, timedOut: 1, aborted: 1, running: 0, stateTransitions: 100)
        let now = EngineCounters(started: 25, succeeded: 19, failed: 2, timedOut: 1, aborted: 2, running: 1, stateTransitions: 250)
        #expect(now.since(baseline) == EngineCounters(started: 15, succeeded: 12, failed: 1, timedOut: 0, aborted: 1, running: 1,
                                                      stateTransitions: 150))
    }

    @Test func negativeOrEndlessWarmupIsAUsageError() {
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--warmup", "-1"])) }
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(arguments("pass_chain_10", ["--warmup", "inf"])) }
    }
}
