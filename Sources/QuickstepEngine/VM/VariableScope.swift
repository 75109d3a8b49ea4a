import QuickstepJSON

/// The variables of one `States` object instance: the top level, one Parallel branch run, or one Map iteration.
///
/// Inner scopes read the variables of the scopes around them; assignments always go to the innermost scope.
final class VariableScope {
    @exclusivity(unchecked) private(set) var values: [String: JSONValue] = [:]
    let parent: VariableScope?

    init(parent: VariableScope?) {
        self.parent = parent
    }

    /// The value of `name` here or in an enclosing scope.
    func value(of name: String) -> JSONValue? {
        var scope: VariableScope? = self
        while let current = scope {
            if let value = current.values[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func assign(_ name: String, _ value: JSONValue) {
        values[name] = value
    }
}
