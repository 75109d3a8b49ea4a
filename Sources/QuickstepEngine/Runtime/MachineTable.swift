/// One counters stripe's registered state machines by name (see ``Engine``), remembering the last one looked up: a
/// stream of executions of one machine finds it by comparing the name (two strings of the same storage compare by
/// their two words) instead of hashing it (SipHash of the name on every start was 2.4 % of pass_chain_10's samples).
struct MachineTable {
    private var machines: [String: RunResources] = [:]
    private var lastName: String?
    private var lastFound: RunResources?

    /// The machine registered under `name`, or nil.
    mutating func resources(named name: String) -> RunResources? {
        if let lastFound, lastName == name { return lastFound }
        guard let found = machines[name] else { return nil }
        lastName = name
        lastFound = found
        return found
    }

    /// Registers `resources` under `name`, replacing what was there.
    mutating func register(_ resources: RunResources, named name: String) {
        machines[name] = resources
        lastName = nil
        lastFound = nil
    }
}
