import Dispatch
import QuickstepJSON
import Testing
@testable import QuickstepEngine

/// ``Engine/runOnEachWorker(_:)`` and the pool's errands under it: each worker runs the body once, on its own thread,
/// whether it was parked or busy, and the call returns only when all have.
@Suite struct WorkerErrandTests {
    /// Each worker runs the body once, with its own index, on its own thread (the pool's current worker there is the
    /// one with that index, so runs the body queues go to that worker's deque); repeated, so that the workers park
    /// between calls and the wake-ups, which the semaphore hands to any parked worker, are exercised.
    @Test(.timeLimit(.minutes(1)), arguments: [1, 2, 5])
    func eachWorkerRunsTheBodyOnceOnItsOwnThread(workers: Int) {
        let pool = WorkerPool(workers: workers) { _, _ in }
        defer { pool.shutdown() }
        for round in 0..<200 {
            let calls = Locked<[(given: Int, current: Int?)]>([])
            pool.runOnEachWorker { index in
                let current = pool.currentWorker().map(WorkerPool.index(of:))
                calls.withLock { $0.append((index, current)) }
            }
            // Every call has happened by the time it returns: read without waiting.
            let made = calls.withLock { $0 }.sorted { $0.given < $1.given }
            #expect(made.map(\.given) == Array(0..<workers), "round \(round)")
            #expect(made.map(\.current) == Array(0..<workers), "round \(round)")
        }
    }

    /// Executions started in the body run to their results, as many as each worker started; the workers are busy
    /// with the first call's executions when the second call comes.
    @Test(.timeLimit(.minutes(1))) func executionsStartedOnEachWorkerComplete() throws {
        let engine = Engine(configuration: EngineConfiguration(workers: 2))
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Add", definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.n, 1)"},"End":true}}}
            """#)
        let outputs = Locked<[Int: Int]>([:])
        for call in 0..<2 {
            engine.runOnEachWorker { worker in
                for item in 0..<500 {
                    let n = call * 10_000 + worker * 1_000 + item
                    _ = try? engine.startExecution(stateMachine: "Add", input: ["n": .int(Int64(n))]) { result in
                        let sum = result.output?["sum"]?.integerValue.map(Int.init) ?? -1
                        outputs.withLock { $0[n] = sum }
                    }
                }
            }
        }
        engine.waitUntilIdle()
        let all = outputs.withLock { $0 }
        #expect(all.count == 2 * 2 * 500)
        #expect(all.allSatisfy { $0.value == $0.key + 1 })
        #expect(engine.counters.succeeded == 2_000)
    }

    /// After shutdown the workers are gone: the call returns without running the body.
    @Test(.timeLimit(.minutes(1))) func afterShutdownTheCallReturnsWithoutRunningTheBody() {
        let engine = Engine(configuration: EngineConfiguration(workers: 2))
        engine.shutdown()
        let calls = Locked(0)
        engine.runOnEachWorker { _ in calls.withLock { $0 += 1 } }
        #expect(calls.withLock { $0 } == 0)
    }

    /// A worker that waited for the others' errands while they waited for its own would never return: the call
    /// stops the program instead.
    @Test(.timeLimit(.minutes(1))) func callingFromAWorkerIsAProgrammingError() async throws {
        let exit = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let engine = Engine(configuration: EngineConfiguration(workers: 2))
            try engine.createStateMachine(name: "P", definition: #"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)
            let finished = DispatchSemaphore(value: 0)
            _ = try engine.startExecution(stateMachine: "P", input: [:]) { _ in
                engine.runOnEachWorker { _ in }
                finished.signal()
            }
            finished.wait()
        }
        // The child stopped at the precondition, not at anything else that fails.
        let message = String(decoding: exit.standardErrorContent, as: UTF8.self)
        #expect(message.contains("runOnEachWorker called from one of the pool's own workers"))
    }
}
