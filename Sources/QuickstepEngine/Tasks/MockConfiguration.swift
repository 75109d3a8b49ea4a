import QuickstepJSON

/// A Step Functions Local mock configuration (`MockConfigFile.json`): per state machine, test cases that answer
/// Task states with mocked responses instead of calling anything.
///
/// ```json
/// {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
///  "MockedResponses": {"ChargeOk": {"0": {"Return": {"id": 1}}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}
/// ```
///
/// A mocked `Return` is the task's result exactly as the service returns it: for a bare Lambda function ARN the
/// function's result, for `arn:aws:states:::lambda:invoke` the whole Invoke response (`StatusCode`, `Payload`, ...).
public struct MockConfiguration: Sendable {
    let document: JSONValue

    /// Why a mock configuration cannot be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses and checks a configuration.
    ///
    /// - Throws: ``Problem`` naming the member that is wrong.
    public init(_ document: JSONValue) throws(Problem) {
        guard document["StateMachines"]?.objectValue != nil else {
            throw Problem(message: "the mock configuration needs a 'StateMachines' object")
        }
        guard let responses = document["MockedResponses"]?.objectValue else {
            throw Problem(message: "the mock configuration needs a 'MockedResponses' object")
        }
        for (name, response) in responses {
            _ = try Self.parseResponses(response, name: name)
        }
        self.document = document
    }

    /// The responses of one test case, by state name.
    ///
    /// - Throws: ``Problem`` when the machine or test case is missing, or names an undefined response.
    public func testCase(stateMachine: String, testCase: String) throws(Problem) -> MockedTestCase {
        guard let machine = document["StateMachines"]?[stateMachine] else {
            let known = document["StateMachines"]?.objectValue?.keys.joined(separator: ", ") ?? ""
            throw Problem(message: "the mock configuration has no state machine '\(stateMachine)' (it has: \(known))")
        }
        guard let states = machine["TestCases"]?[testCase]?.objectValue else {
            let known = machine["TestCases"]?.objectValue?.keys.joined(separator: ", ") ?? ""
            throw Problem(message: "the state machine '\(stateMachine)' has no test case '\(testCase)' (it has: \(known))")
        }
        var responses: [String: [MockedTestCase.Response]] = [:]
        for (state, reference) in states {
            guard let name = reference.stringValue, let response = document["MockedResponses"]?[name] else {
                throw Problem(message: "the test case '\(testCase)' maps state '\(state)' to an undefined mocked response \(reference.compactText)")
            }
            responses[state] = try Self.parseResponses(response, name: name)
        }
        return MockedTestCase(responses: responses)
    }

    private static func parseResponses(_ value: JSONValue, name: String) throws(Problem) -> [MockedTestCase.Response] {
        guard let attempts = value.objectValue else {
            throw Problem(message: "the mocked response '\(name)' must be an object of attempts (\"0\", \"1-2\", ...)")
        }
        var responses: [MockedTestCase.Response] = []
        for (key, entry) in attempts {
            let bounds = key.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), let lower = bounds.first ?? nil, let upper = bounds.last ?? nil,
                lower >= 0, lower <= upper
            else {
                throw Problem(message: "the mocked response '\(name)' has an invalid attempt key '\(key)' (use \"0\" or a range such as \"1-3\")")
            }
            let outcome: Result<JSONValue, ExecutionFailure>
            if let returned = entry["Return"] {
                outcome = .success(returned)
            } else if let thrown = entry["Throw"] {
                guard let error = thrown["Error"]?.stringValue else {
                    throw Problem(message: "the mocked response '\(name)' attempt '\(key)' throws without a string 'Error'")
                }
                outcome = .failure(ExecutionFailure(error: error, cause: thrown["Cause"]?.stringValue))
            } else {
                throw Problem(message: "the mocked response '\(name)' attempt '\(key)' needs 'Return' or 'Throw'")
            }
            responses.append(MockedTestCase.Response(attempts: lower...upper, outcome: outcome))
        }
        return responses
    }
}

/// The mocked responses of one test case: what each state's task answers on its n-th invocation (0-based,
/// counted across the execution, retries included).
public struct MockedTestCase: Sendable {
    struct Response: Sendable {
        var attempts: ClosedRange<Int>
        var outcome: Result<JSONValue, ExecutionFailure>
        /// A returned value within the 256 KiB payload limit: a constant, so checked once here instead of on
        /// every invocation (the check walks the whole value: a fifth of order_processing's synchronous latency).
        var fitsPayloadLimit: Bool

        init(attempts: ClosedRange<Int>, outcome: Result<JSONValue, ExecutionFailure>) {
            self.attempts = attempts
            self.outcome = outcome
            if case .success(let value) = outcome {
                fitsPayloadLimit = !value.compactTextExceeds(bytes: Limits.payloadBytes)
            } else {
                fitsPayloadLimit = true
            }
        }
    }

    let responses: [String: [Response]]
}

extension MockedTestCase.Response {
    /// The response with a returned value that shares no storage with this one's (``JSONValue/deepCopy()``).
    func ownCopy() -> Self {
        var copy = self
        if case .success(let value) = outcome { copy.outcome = .success(value.deepCopy()) }
        return copy
    }
}

/// A test case's mocked responses resolved against one program, once: a task finds its responses and counts its
/// attempts by its state's index instead of hashing the state's name three times per invocation (with the
/// run's attempt dictionary growing as it went, that was 8 % of order_processing's time).
///
/// The responses lie one slot after another in memory the plan owns, read in place: an invocation copies only the
/// outcome it answers with (copying a slot's array and the chosen response out of it retained and released every
/// value in them, 6 % of order_processing's samples). The engine makes a plan per worker, as it does the
/// ``RunResources`` that hold it, so that no two workers write one reference count.
final class MockPlan: @unchecked Sendable {
    /// For each state index, the slot of its state's name, or -1 when it is not mocked. States of the same name
    /// share a slot (and so an attempt count), as they share a name in the configuration.
    private let slotOfState: UnsafeMutableBufferPointer<Int32>
    /// Where each slot's responses start in ``responses``; slot `s` ends where slot `s + 1` starts.
    private let slotStarts: UnsafeMutableBufferPointer<Int>
    private let responses: UnsafeMutableBufferPointer<MockedTestCase.Response>
    /// How many slots there are (the length of a run's attempt counts).
    let slotCount: Int
    /// Whether some slot answers differently by attempt. When none does (one response per mocked state, the
    /// common case), a run counts no attempts and allocates no counts.
    let countsAttempts: Bool

    init(_ testCase: MockedTestCase, program: Program) {
        var slotOfName: [String: Int32] = [:]
        var bySlot: [[MockedTestCase.Response]] = []
        let slots = program.tables.states.map { state -> Int32 in
            guard let candidates = testCase.responses[state.name] else { return -1 }
            if let slot = slotOfName[state.name] { return slot }
            slotOfName[state.name] = Int32(bySlot.count)
            bySlot.append(candidates)
            return Int32(bySlot.count - 1)
        }
        slotOfState = .owned(copying: slots)
        var starts = [0]
        for candidates in bySlot { starts.append(starts.last! + candidates.count) }
        slotStarts = .owned(copying: starts)
        // Values of this plan's own: every worker has a plan, and a response shared by all of them had its
        // reference count written by every worker on every invocation.
        responses = .owned(copying: bySlot.joined().map { $0.ownCopy() })
        slotCount = bySlot.count
        countsAttempts = bySlot.contains { $0.count > 1 }
    }

    deinit {
        slotOfState.freeOwned()
        slotStarts.freeOwned()
        responses.freeOwned()
    }

    /// The slot of state `state`, or nil when its task is not mocked.
    func slot(of state: Int) -> Int? {
        let slot = slotOfState[state]
        return slot < 0 ? nil : Int(slot)
    }

    /// The response of the `attempt`-th invocation (0-based) of the state in `slot`, read in place. The first
    /// response whose attempts include it; past the last attempt listed, the one with the highest attempt keeps answering.
    func response(slot: Int, attempt: Int) -> UnsafePointer<MockedTestCase.Response> {
        let candidates = slotStarts[slot]..<slotStarts[slot + 1]
        var latest = candidates.lowerBound
        for index in candidates {
            let attempts = responses[index].attempts
            if attempts.contains(attempt) { return UnsafePointer(responses.baseAddress! + index) }
            if attempts.upperBound > responses[latest].attempts.upperBound { latest = index }
        }
        return UnsafePointer(responses.baseAddress! + latest)
    }
}
