import QuickstepJSON

/// Numbers the events of one execution (its branches and iterations included) and, when asked to, keeps them
/// in AWS's `GetExecutionHistory` shape.
///
/// The numbering always runs, because AWS's error causes quote event ids ("entered at the event id #4").
final class History {
    private(set) var nextId = 1
    private(set) var events: [JSONValue] = []
    let keepsEvents: Bool
    let clock: () -> Int64

    init(keepsEvents: Bool, clock: @escaping () -> Int64) {
        self.keepsEvents = keepsEvents
        self.clock = clock
    }

    /// Takes the next id without recording anything.
    @inline(__always)
    func skip() -> Int {
        nextId += 1
        return nextId - 1
    }

    /// Records an event and returns its id.
    @discardableResult
    func record(_ type: String, previous: Int, details: (key: String, value: JSONObject)? = nil) -> Int {
        let id = nextId
        nextId += 1
        guard keepsEvents else { return id }
        var event: JSONObject = [
            "id": .int(Int64(id)), "previousEventId": .int(Int64(previous)),
            "timestamp": .string(Timestamps.iso8601(milliseconds: clock())), "type": .string(type),
        ]
        if let details { event[details.key] = .object(details.value) }
        events.append(.object(event))
        return id
    }
}
