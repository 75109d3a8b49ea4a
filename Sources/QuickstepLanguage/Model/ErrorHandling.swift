import QuickstepJSON

/// The `Retry` and `Catch` lists of a Task, Parallel or Map state.
public struct ErrorHandling: Sendable {
    public var retriers: [Retrier] = []
    public var catchers: [Catcher] = []

    public init() {}

    func catchTargets(at location: JSONPointer) -> [(name: String, location: JSONPointer)] {
        catchers.enumerated().map { ($1.next, location.appending("Catch").appending($0).appending("Next")) }
    }
}

/// One `Retry` entry.
public struct Retrier: Sendable {
    public var errorEquals: [String]
    /// Seconds before the first retry (default 1).
    public var intervalSeconds: Int = 1
    /// Retries allowed (default 3; 0 never retries).
    public var maxAttempts: Int = 3
    /// Multiplier of the interval per retry (default 2.0).
    public var backoffRate: Double = 2.0
    /// Upper bound of any interval.
    public var maxDelaySeconds: Int?
    public var jitterStrategy: JitterStrategy = .none

    /// `JitterStrategy`: `FULL` randomises each interval in [0, interval].
    public enum JitterStrategy: String, Sendable {
        case full = "FULL"
        case none = "NONE"
    }
}

/// One `Catch` entry.
public struct Catcher: Sendable {
    public var errorEquals: [String]
    public var next: String
    /// JSONPath: where the error output goes in the state's raw input (`$` unless set).
    public var resultPath: OptionalPath = .path(.input)
    /// JSONata: the state's output when this catcher applies (default: the error output).
    public var output: JSONataTemplate?
    public var assign: Assignment?
}
