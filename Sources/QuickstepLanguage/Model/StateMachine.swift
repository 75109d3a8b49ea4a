import QuickstepJSON

/// The language a state's expressions are written in.
public enum QueryLanguage: String, Sendable, Hashable {
    case jsonPath = "JSONPath"
    case jsonata = "JSONata"
}

/// A validated state machine: the typed model of an ASL definition, with every path, template, intrinsic call and
/// Choice rule already parsed. Build one with ``StateMachine/init(definition:)``; it cannot be changed afterwards
/// (it would no longer be the definition that was validated).
public struct StateMachine: Sendable {
    public internal(set) var comment: String?
    public internal(set) var version: String?
    /// The machine's own `TimeoutSeconds`, if it sets one.
    public internal(set) var timeoutSeconds: Int?
    /// The machine's `QueryLanguage` (`JSONPath` unless it says otherwise).
    public internal(set) var queryLanguage: QueryLanguage
    /// The top-level `StartAt` and `States`.
    public internal(set) var graph: StateGraph
    /// The definition the machine was loaded from, as parsed JSON.
    public internal(set) var definition: JSONValue = .null
}

/// A `States` object and its `StartAt`: the top level, a Parallel branch, or a Map's item processor.
///
/// Transitions never leave the graph they start in.
public struct StateGraph: Sendable {
    public var startAt: String
    /// The states in document order.
    public var states: [State]
    public var comment: String?
    /// Where the graph's `States` object is in the definition.
    public var location: JSONPointer

    /// The position of the state called `name` in ``states``.
    public func index(of name: String) -> Int? {
        states.firstIndex { $0.name == name }
    }

    /// The state called `name`.
    public func state(named name: String) -> State? {
        index(of: name).map { states[$0] }
    }
}

/// One state: its name, its query language (resolved: the state's own, else the machine's), and what it does.
public struct State: Sendable {
    public var name: String
    public var comment: String?
    public var queryLanguage: QueryLanguage
    /// Where the state is in the definition (`/States/Name`).
    public var location: JSONPointer
    public var kind: Kind

    /// What a state does, by `Type`.
    public enum Kind: Sendable {
        case pass(PassState)
        case task(TaskState)
        case choice(ChoiceState)
        case wait(WaitState)
        case succeed(SucceedState)
        case fail(FailState)
        case parallel(ParallelState)
        case map(MapState)
    }

    /// The `Type` name (`Pass`, `Task`, ...).
    public var typeName: String {
        switch kind {
        case .pass: "Pass"
        case .task: "Task"
        case .choice: "Choice"
        case .wait: "Wait"
        case .succeed: "Succeed"
        case .fail: "Fail"
        case .parallel: "Parallel"
        case .map: "Map"
        }
    }

    /// The state's own transition (`Next` or `End`), or `nil` for Choice, Succeed and Fail.
    public var transition: Transition? {
        switch kind {
        case .pass(let state): state.transition
        case .task(let state): state.transition
        case .wait(let state): state.transition
        case .parallel(let state): state.transition
        case .map(let state): state.transition
        case .choice, .succeed, .fail: nil
        }
    }

    /// Every state name this state can move to, with the location of the field that names it.
    public var successors: [(name: String, location: JSONPointer)] {
        var names: [(String, JSONPointer)] = []
        if case .next(let next) = transition { names.append((next, location.appending("Next"))) }
        switch kind {
        case .choice(let choice):
            for (position, branch) in choice.choices.enumerated() {
                names.append((branch.next, location.appending("Choices").appending(position).appending("Next")))
            }
            if let defaultState = choice.defaultState { names.append((defaultState, location.appending("Default"))) }
        case .task(let task):
            names += task.errorHandling.catchTargets(at: location)
        case .parallel(let parallel):
            names += parallel.errorHandling.catchTargets(at: location)
        case .map(let map):
            names += map.errorHandling.catchTargets(at: location)
        default:
            break
        }
        return names
    }
}

/// Where a state goes when it finishes.
public enum Transition: Sendable, Hashable {
    case next(String)
    case end
}
