import CoreMetrics

/// The engine's metrics through swift-metrics, with CloudWatch's Step Functions names: ExecutionsStarted,
/// ExecutionsSucceeded, ExecutionsFailed, ExecutionsTimedOut, ExecutionsAborted, ExecutionTime (a timer), plus
/// StateTransitions (states entered). The metric objects are made once per engine and carry no per-machine
/// dimension, so recording costs no lookup.
struct EngineMetrics: Sendable {
    let started: Counter
    let succeeded: Counter
    let failed: Counter
    let timedOut: Counter
    let aborted: Counter
    let executionTime: Timer
    let transitions: Counter
    /// Whether anything receives the metrics: false for swift-metrics' no-op factory (the default when nothing is
    /// bootstrapped), whose handlers were still four calls through existentials per execution.
    let isRecording: Bool

    init(factory: any MetricsFactory) {
        isRecording = !(factory is NOOPMetricsHandler)
        started = Counter(label: "ExecutionsStarted", factory: factory)
        succeeded = Counter(label: "ExecutionsSucceeded", factory: factory)
        failed = Counter(label: "ExecutionsFailed", factory: factory)
        timedOut = Counter(label: "ExecutionsTimedOut", factory: factory)
        aborted = Counter(label: "ExecutionsAborted", factory: factory)
        executionTime = Timer(label: "ExecutionTime", factory: factory)
        transitions = Counter(label: "StateTransitions", factory: factory)
    }

    func finished(_ status: ExecutionResult.Status, milliseconds: Int64, transitions count: Int) {
        switch status {
        case .succeeded: succeeded.increment()
        case .failed: failed.increment()
        case .timedOut: timedOut.increment()
        case .aborted: aborted.increment()
        }
        executionTime.recordMilliseconds(milliseconds)
        transitions.increment(by: count)
    }
}
