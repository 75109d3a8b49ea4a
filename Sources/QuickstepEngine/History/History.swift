import QuickstepJSON

/// The events of one execution (its branches and iterations included), in AWS's `GetExecutionHistory` shape.
///
/// Only a run that keeps its events has one (``RunState/history``); the numbering of events, which always runs
/// because AWS's error causes quote event ids ("entered at the event id #4"), is the run's own. Not thread-safe:
/// the run calls it under its shared lock once its children spread over several strands.
final class History {
    @exclusivity(unchecked) private(set) var events: [JSONValue] = []
    let clock: () -> Int64

    init(clock: @escaping () -> Int64) {
        self.clock = clock
    }

    /// Appends the event numbered `id`, linked to `previous`.
    func append(_ type: String, id: Int, previous: Int, details: (key: String, value: JSONObject)?) {
        var event: JSONObject = [
            "id": .int(Int64(id)), "previousEventId": .int(Int64(previous)),
            "timestamp": .string(Timestamps.iso8601(milliseconds: clock())), "type": .string(type),
        ]
        if let details { event[details.key] = .object(details.value) }
        events.append(.object(event))
    }
}
