import QuickstepJSON

/// Numbers the events of one execution (its branches and iterations included) and, when asked to, keeps them
/// in AWS's `GetExecutionHistory` shape.
///
/// The numbering always runs, because AWS's error causes quote event ids ("entered at the event id #4").
final class History {
    @exclusivity(unchecked) private var nextId = 1
    @exclusivity(unchecked) private var recorded: [JSONValue] = []
    let keepsEvents: Bool
    let clock: () -> Int64
    /// Set (by ``RunState/markSpread()``) once the execution's children run on several strands.
    @exclusivity(unchecked) var lock: Lock?

    init(keepsEvents: Bool, clock: @escaping () -> Int64) {
        self.keepsEvents = keepsEvents
        self.clock = clock
    }

    /// Takes the next id without recording anything.
    @inline(__always)
    func skip() -> Int {
        if let lock { return lock.withLock { takeId() } }
        return takeId()
    }

    @inline(__always)
    private func takeId() -> Int {
        nextId += 1
        return nextId - 1
    }

    /// The events recorded so far.
    var events: [JSONValue] {
        if let lock { return lock.withLock { recorded } }
        return recorded
    }

    /// Records an event and returns its id. `previous: nil` links it to the last event recorded.
    @discardableResult
    func record(_ type: String, previous: Int?, details: (key: String, value: JSONObject)? = nil) -> Int {
        if let lock { return lock.withLock { append(type, previous: previous, details: details) } }
        return append(type, previous: previous, details: details)
    }

    private func append(_ type: String, previous: Int?, details: (key: String, value: JSONObject)?) -> Int {
        let previous = previous ?? nextId - 1
        let id = nextId
        nextId += 1
        guard keepsEvents else { return id }
        var event: JSONObject = [
            "id": .int(Int64(id)), "previousEventId": .int(Int64(previous)),
            "timestamp": .string(Timestamps.iso8601(milliseconds: clock())), "type": .string(type),
        ]
        if let details { event[details.key] = .object(details.value) }
        recorded.append(.object(event))
        return id
    }
}
