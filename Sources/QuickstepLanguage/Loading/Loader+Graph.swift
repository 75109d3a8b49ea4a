import QuickstepJSON

// Checks that need a whole `States` object, or the whole machine: transitions, reachability, terminal states,
// and state names.

extension Loader {
    /// AWS's limit on the length of a state name.
    static let maximumStateNameLength = 80

    mutating func validateGraph(_ graph: StateGraph, declaredNames: [String], allStatesLoaded: Bool, at location: JSONPointer) {
        let names = Set(declaredNames)
        guard names.contains(graph.startAt) else {
            error("Missing 'StartAt' target: \(graph.startAt)", at: location.appending("StartAt"), code: .missingTransitionTarget)
            return
        }
        var missingTarget = false
        for state in graph.states {
            for successor in state.successors where !names.contains(successor.name) {
                error("Missing 'Next' target: \(successor.name)", at: successor.location, code: .missingTransitionTarget)
                missingTarget = true
            }
        }
        // With states that failed to load, terminal and reachability checks would report noise.
        guard allStatesLoaded else { return }
        if !graph.states.contains(where: \.isTerminal) {
            error("Workflow has no terminal state", at: graph.location, code: .missingEndState)
        }
        guard !missingTarget else { return }
        // Reachability from StartAt, in document order for stable diagnostics.
        var reached: Set<String> = [graph.startAt]
        var pending = [graph.startAt]
        while let name = pending.popLast() {
            guard let state = graph.state(named: name) else { continue }
            for successor in state.successors where reached.insert(successor.name).inserted {
                pending.append(successor.name)
            }
        }
        for state in graph.states where !reached.contains(state.name) {
            error("State \"\(state.name)\" is not reachable", at: state.location, code: .missingTransitionTarget)
        }
    }

    /// State names are unique in the whole machine, 1 to 80 characters long.
    mutating func validateStateNames() {
        var seen = Set<String>()
        for (name, location) in stateNames {
            if !seen.insert(name).inserted {
                error("Duplicate State name: \(name)", at: location, code: .duplicateStateName)
            }
            if name.isEmpty || name.count > Self.maximumStateNameLength {
                error("State names must be 1 to \(Self.maximumStateNameLength) characters long", at: location,
                      code: .invalidStateName)
            }
            // Spaces are allowed (Workflow Studio names states "Lambda Invoke"); control characters are not.
            if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                error("State names cannot contain control characters", at: location, code: .invalidStateName)
            }
        }
    }
}

extension State {
    /// Whether the state can end its graph: `End: true`, Succeed or Fail.
    var isTerminal: Bool {
        switch kind {
        case .succeed, .fail: true
        default: transition == .end
        }
    }
}
