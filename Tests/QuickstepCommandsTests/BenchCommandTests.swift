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
        let driver = BenchDriver(engine: engine, machineName: "P", input: ["n": 1], inputByteCount: 8, executions: executions, chains: chains, deadline: nil)
        relay.attach(driver)
        driver.start()
        while !driver.isDone { usleep(1000) }
        engine.waitUntilIdle()
        #expect(driver.issued == executions)
        #expect(engine.counters.succeeded == executions)
        #expect(driver.mergedLatencies().totalCount == UInt64(executions))
    }
}
