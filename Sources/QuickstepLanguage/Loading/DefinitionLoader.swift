import QuickstepJSON

extension StateMachine {
    /// Loads and validates a definition given as JSON text.
    ///
    /// - Throws: ``InvalidDefinition`` with every problem found (not only the first).
    public init(definition text: String) throws(InvalidDefinition) {
        self = try DefinitionLoader.load(Array(text.utf8)).get()
    }

    /// Loads and validates a definition given as UTF-8 JSON bytes.
    ///
    /// - Throws: ``InvalidDefinition`` with every problem found (not only the first).
    public init(definition bytes: [UInt8]) throws(InvalidDefinition) {
        self = try DefinitionLoader.load(bytes).get()
    }

    /// Loads and validates a definition that is already parsed.
    ///
    /// - Throws: ``InvalidDefinition`` with every problem found (not only the first).
    public init(definition value: JSONValue) throws(InvalidDefinition) {
        self = try DefinitionLoader.load(value).get()
    }
}

/// Turns definition text into a ``StateMachine``, checking it the way `ValidateStateMachineDefinition` does.
public enum DefinitionLoader {
    /// AWS's limit on the size of a definition: 1 MiB.
    public static let maximumDefinitionBytes = 1_048_576

    /// Loads UTF-8 definition text: the machine, or every problem found.
    public static func load(_ bytes: [UInt8]) -> Result<StateMachine, InvalidDefinition> {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(InvalidDefinition(diagnostics: [
                Diagnostic(.missingDescription, "The definition is empty", at: "/")
            ]))
        }
        if bytes.count > maximumDefinitionBytes {
            return .failure(InvalidDefinition(diagnostics: [
                Diagnostic(.schemaValidationFailed,
                           "The definition is \(bytes.count) bytes; the limit is \(maximumDefinitionBytes)", at: "/")
            ]))
        }
        do {
            return load(try JSONParser.parse(bytes))
        } catch {
            return .failure(InvalidDefinition(diagnostics: [
                Diagnostic(.invalidJSONDescription, error.description,
                           at: "[line: \(error.line), column: \(error.column)]")
            ]))
        }
    }

    /// Loads a parsed definition: the machine, or every problem found.
    public static func load(_ value: JSONValue) -> Result<StateMachine, InvalidDefinition> {
        var loader = Loader()
        var machine = loader.loadMachine(value)
        loader.validateStateNames()
        let errors = loader.diagnostics.filter { $0.severity == .error }
        machine?.definition = value
        if let machine, errors.isEmpty { return .success(machine) }
        return .failure(InvalidDefinition(diagnostics: loader.diagnostics))
    }

    /// Every problem in the definition; empty when it is valid.
    public static func validate(_ bytes: [UInt8]) -> [Diagnostic] {
        switch load(bytes) {
        case .success: []
        case .failure(let invalid): invalid.diagnostics
        }
    }
}

/// The loading pass: reads the JSON into the model, collecting diagnostics instead of stopping at the first.
struct Loader {
    var diagnostics: [Diagnostic] = []
    /// The machine's query language, the default for every state.
    var machineLanguage = QueryLanguage.jsonPath
    /// Every state name and where it is defined, to find names used twice anywhere in the machine.
    var stateNames: [(name: String, location: JSONPointer)] = []

    mutating func error(_ message: String, at location: JSONPointer, code: Diagnostic.Code = .schemaValidationFailed) {
        diagnostics.append(Diagnostic(code, message, at: location.description))
    }

    mutating func loadMachine(_ value: JSONValue) -> StateMachine? {
        guard var fields = FieldReader(value, at: .root, loader: &self, what: "Definition") else { return nil }
        requireFields(["States", "StartAt"], in: fields)
        if let language = fields.take("QueryLanguage") {
            if let parsed = queryLanguage(language, at: .root.appending("QueryLanguage")) { machineLanguage = parsed }
        }
        let version = string(fields.take("Version"), field: "Version", at: .root)
        var timeoutSeconds: Int?
        if let timeout = fields.take("TimeoutSeconds") {
            timeoutSeconds = integer(timeout, field: "TimeoutSeconds", at: .root, range: 1...99_999_999)
        }
        let graph = loadGraph(fields: &fields, at: .root)
        reportUnknownFields(fields)
        guard let graph else { return nil }
        return StateMachine(comment: graph.comment, version: version, timeoutSeconds: timeoutSeconds,
                            queryLanguage: machineLanguage, graph: graph)
    }

    /// Reads `StartAt` and `States` from an object (the top level, a branch, a processor) and validates its graph.
    mutating func loadGraph(fields: inout FieldReader, at location: JSONPointer) -> StateGraph? {
        let startAt = string(fields.take("StartAt"), field: "StartAt", at: location)
        let comment = string(fields.take("Comment"), field: "Comment", at: location)
        guard let statesValue = fields.take("States") else { return nil }
        let statesLocation = location.appending("States")
        guard case .object(let statesObject) = statesValue else {
            error("The field 'States' must be an object", at: statesLocation)
            return nil
        }
        var states: [State] = []
        for (name, definition) in statesObject {
            let stateLocation = statesLocation.appending(name)
            stateNames.append((name, stateLocation))
            if let state = loadState(named: name, definition, at: stateLocation) { states.append(state) }
        }
        guard let startAt else { return nil }
        let graph = StateGraph(startAt: startAt, states: states, comment: comment, location: statesLocation)
        validateGraph(graph, declaredNames: statesObject.keys, allStatesLoaded: states.count == statesObject.count, at: location)
        return graph
    }

    mutating func queryLanguage(_ value: JSONValue, at location: JSONPointer) -> QueryLanguage? {
        guard let text = value.stringValue, let language = QueryLanguage(rawValue: text) else {
            error("The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", at: location)
            return nil
        }
        return language
    }
}

/// Reads the members of one JSON object, remembering which were read so the rest can be reported as unknown.
struct FieldReader {
    let object: JSONObject
    let location: JSONPointer
    private(set) var consumed: Set<String> = []

    /// A reader over `value`, or `nil` (with a diagnostic) when `value` is not an object.
    init?(_ value: JSONValue, at location: JSONPointer, loader: inout Loader, what: String) {
        guard case .object(let object) = value else {
            loader.error("\(what) must be a JSON object", at: location)
            return nil
        }
        self.object = object
        self.location = location
    }

    /// The member `key`, marking it as read.
    mutating func take(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return object[key]
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// The members never read, in document order.
    var unread: [String] { object.keys.filter { !consumed.contains($0) } }
}
