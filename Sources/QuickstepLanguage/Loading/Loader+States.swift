import QuickstepJSON

/// The `Type` values, in the order AWS lists them in its error message.
enum StateType: String, CaseIterable {
    case task = "Task", wait = "Wait", pass = "Pass", succeed = "Succeed", fail = "Fail", choice = "Choice"
    case parallel = "Parallel", map = "Map"

    var hasTransition: Bool { ![.choice, .succeed, .fail].contains(self) }
    var allowsInputOutputPath: Bool { self != .fail }
    var allowsParameters: Bool { [.task, .parallel, .pass].contains(self) }
    var allowsResultSelector: Bool { [.task, .parallel, .map].contains(self) }
    var allowsResultPath: Bool { [.task, .parallel, .map, .pass].contains(self) }
    var allowsOutput: Bool { self != .fail }
    var allowsArguments: Bool { [.task, .parallel].contains(self) }
    var allowsAssign: Bool { ![.succeed, .fail].contains(self) }
    var allowsErrorHandling: Bool { [.task, .parallel, .map].contains(self) }
}

extension Loader {
    mutating func loadState(named name: String, _ value: JSONValue, at location: JSONPointer) -> State? {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "A state") else { return nil }
        defer { reportUnknownFields(fields) }
        guard let typeValue = fields.take("Type") else {
            error("The field 'Type' is required but was missing", at: location)
            return nil
        }
        guard let typeName = typeValue.stringValue, let type = StateType(rawValue: typeName) else {
            let names = StateType.allCases.map(\.rawValue).joined(separator: ", ")
            error("The field 'Type' should have one of these values: [\(names)]", at: location.appending("Type"))
            return nil
        }
        let comment = string(fields.take("Comment"), field: "Comment", at: location)
        var language = machineLanguage
        if let languageValue = fields.take("QueryLanguage"),
            let stateLanguage = queryLanguage(languageValue, at: location.appending("QueryLanguage"))
        {
            if machineLanguage == .jsonata && stateLanguage == .jsonPath {
                error("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", at: location)
            }
            language = stateLanguage
        }
        let processing = loadDataProcessing(type, language: language, fields: &fields)
        let transition = type.hasTransition ? loadTransition(&fields) : nil
        var errorHandling = ErrorHandling()
        if type.allowsErrorHandling { errorHandling = loadErrorHandling(&fields, language: language) }

        let kind: State.Kind?
        switch type {
        case .pass:
            var result: JSONValue?
            if let value = fields.take("Result") {
                if language == .jsonata { error("The field 'Result' cannot be used in a JSONata state", at: location) }
                result = value
            }
            kind = transition.map { .pass(PassState(transition: $0, dataProcessing: processing, result: result)) }
        case .succeed:
            kind = .succeed(SucceedState(dataProcessing: processing))
        case .fail:
            kind = .fail(loadFail(&fields, language: language))
        case .wait:
            let duration = loadWaitDuration(&fields, language: language)
            kind = transition.flatMap { transition in
                duration.map { .wait(WaitState(transition: transition, dataProcessing: processing, duration: $0)) }
            }
        case .task:
            kind = loadTask(&fields, language: language, transition: transition, processing: processing,
                            errorHandling: errorHandling).map { .task($0) }
        case .choice:
            kind = loadChoice(&fields, language: language, processing: processing).map { .choice($0) }
        case .parallel:
            kind = loadParallel(&fields, transition: transition, processing: processing,
                                errorHandling: errorHandling).map { .parallel($0) }
        case .map:
            kind = loadMap(&fields, language: language, transition: transition, processing: processing,
                           errorHandling: errorHandling).map { .map($0) }
        }
        return kind.map { State(name: name, comment: comment, queryLanguage: language, location: location, kind: $0) }
    }

    mutating func loadTransition(_ fields: inout FieldReader) -> Transition? {
        let location = fields.location
        let next = string(fields.take("Next"), field: "Next", at: location)
        let end = boolean(fields.take("End"), field: "End", at: location)
        switch (next, end) {
        case (let next?, nil):
            return .next(next)
        case (nil, true):
            return .end
        case (nil, false):
            error("The field 'End' must be true; a state that does not end names its 'Next'", at: location.appending("End"))
        case (_?, _?):
            error("The fields 'Next' and 'End' cannot be used together", at: location)
        case (nil, nil):
            if !fields.has("Next") && !fields.has("End") {
                error("The field 'Next' is required but was missing (or set 'End' to true)", at: location)
            }
        }
        return nil
    }

    /// Reads the input/output processing fields the state type allows in its query language; a field of the other
    /// query language is reported.
    mutating func loadDataProcessing(_ type: StateType, language: QueryLanguage, fields: inout FieldReader) -> DataProcessing {
        var processing = DataProcessing()
        let location = fields.location
        let jsonPathFields = ["InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath"]
        let jsonataFields = ["Output", "Arguments"]
        for field in language == .jsonata ? jsonPathFields : jsonataFields where fields.has(field) {
            // Map reads its deprecated Parameters itself; everything else is reported here.
            if type == .map && field == "Parameters" { continue }
            let allowed: Bool
            switch field {
            case "InputPath", "OutputPath": allowed = type.allowsInputOutputPath
            case "Parameters": allowed = type.allowsParameters
            case "ResultSelector": allowed = type.allowsResultSelector
            case "ResultPath": allowed = type.allowsResultPath
            case "Output": allowed = type.allowsOutput
            default: allowed = type.allowsArguments
            }
            guard allowed else { continue }  // left unread: reported as not supported
            _ = fields.take(field)
            error("The field '\(field)' cannot be used in a \(language.rawValue) state", at: location.appending(field))
        }
        if language == .jsonPath {
            if type.allowsInputOutputPath {
                if let path = optionalPath(fields.take("InputPath"), field: "InputPath", at: location, reference: false) {
                    processing.inputPath = path
                }
                if let path = optionalPath(fields.take("OutputPath"), field: "OutputPath", at: location, reference: false) {
                    processing.outputPath = path
                }
            }
            if type.allowsParameters, let value = fields.take("Parameters") {
                processing.parameters = payloadTemplate(value, field: "Parameters", at: location.appending("Parameters"))
            }
            if type.allowsResultSelector, let value = fields.take("ResultSelector") {
                processing.resultSelector = payloadTemplate(
                    value, field: "ResultSelector", at: location.appending("ResultSelector"))
            }
            if type.allowsResultPath,
                let path = optionalPath(fields.take("ResultPath"), field: "ResultPath", at: location, reference: true)
            {
                processing.resultPath = path
            }
        } else {
            if type.allowsOutput, let value = fields.take("Output") { processing.output = JSONataTemplate(value) }
            if type.allowsArguments, let value = fields.take("Arguments") {
                // Arguments are evaluated before there is a result or an error output to refer to.
                for variable in ["$states.result", "$states.errorOutput"] where Self.expressions(in: value).contains(where: { $0.contains(variable) }) {
                    error("The field 'Arguments' cannot use \(variable)", at: location.appending("Arguments"))
                }
                processing.arguments = JSONataTemplate(value)
            }
        }
        if type.allowsAssign, let value = fields.take("Assign") {
            processing.assign = assignment(value, language: language, at: location.appending("Assign"))
        }
        return processing
    }

    mutating func loadFail(_ fields: inout FieldReader, language: QueryLanguage) -> FailState {
        let text: (inout Loader, JSONValue, JSONPointer) -> String? = { loader, value, location in
            guard let text = value.stringValue else {
                loader.error("The field '\(location.tokens.last ?? "")' must be a string", at: location)
                return nil
            }
            return text
        }
        let errorValue = dynamicValue("Error", in: &fields, language: language, pathAllowsIntrinsic: true, constant: text)
        let cause = dynamicValue("Cause", in: &fields, language: language, pathAllowsIntrinsic: true, constant: text)
        return FailState(error: errorValue, cause: cause)
    }

    mutating func loadWaitDuration(_ fields: inout FieldReader, language: QueryLanguage) -> WaitState.Duration? {
        let timeFields = language == .jsonPath ? ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"] : ["Seconds", "Timestamp"]
        let present = timeFields.filter { fields.has($0) }
        guard present.count == 1 else {
            error(present.isEmpty
                  ? "A Wait state needs one of these fields: [\(timeFields.joined(separator: ", "))]"
                  : "A Wait state takes only one of these fields: [\(present.joined(separator: ", "))]",
                  at: fields.location)
            for field in present { _ = fields.take(field) }
            return nil
        }
        if present[0].hasPrefix("Seconds") {
            return dynamicValue("Seconds", in: &fields, language: language) { loader, value, location in
                loader.integer(value, field: "Seconds", at: location.removingLast(), range: 0...99_999_999)
            }.map { .seconds($0) }
        }
        return dynamicValue("Timestamp", in: &fields, language: language) { loader, value, location in
            guard let text = value.stringValue, let timestamp = Timestamp(text) else {
                loader.error("String does not match RFC3339 timestamp", at: location)
                return nil
            }
            return timestamp
        }.map { .timestamp($0) }
    }

    mutating func loadTask(
        _ fields: inout FieldReader, language: QueryLanguage, transition: Transition?, processing: DataProcessing,
        errorHandling: ErrorHandling
    ) -> TaskState? {
        let location = fields.location
        requireFields(["Resource"], in: fields)
        var resource: TaskResource?
        if let arn = string(fields.take("Resource"), field: "Resource", at: location) {
            resource = TaskResource(arn: arn)
            if resource == nil {
                error("The resource provided \(arn) is not recognized. The value is not a valid resource ARN, or the "
                      + "resource is not available in this region.", at: location.appending("Resource"))
            }
        }
        let seconds: (inout Loader, JSONValue, JSONPointer) -> Int? = { loader, value, location in
            loader.integer(value, field: location.tokens.last ?? "", at: location.removingLast(), range: 1...99_999_999)
        }
        let timeout = dynamicValue("TimeoutSeconds", in: &fields, language: language, constant: seconds)
        let heartbeat = dynamicValue("HeartbeatSeconds", in: &fields, language: language, constant: seconds)
        if case .constant(let heartbeatSeconds)? = heartbeat, case .constant(let timeoutSeconds)? = timeout,
            heartbeatSeconds >= timeoutSeconds
        {
            error("The field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'", at: location.appending("HeartbeatSeconds"))
        }
        var credentials: JSONValue?
        if let value = fields.take("Credentials") {
            let credentialsLocation = location.appending("Credentials")
            if case .object(let object) = value {
                if object["RoleArn"] == nil && object["RoleArn.$"] == nil {
                    error("The field 'RoleArn' is required but was missing", at: credentialsLocation)
                }
                credentials = value
            } else {
                error("The field 'Credentials' must be an object", at: credentialsLocation)
            }
        }
        guard let resource, let transition else { return nil }
        return TaskState(resource: resource, transition: transition, dataProcessing: processing,
                         errorHandling: errorHandling, timeoutSeconds: timeout, heartbeatSeconds: heartbeat,
                         credentials: credentials)
    }

    mutating func loadParallel(
        _ fields: inout FieldReader, transition: Transition?, processing: DataProcessing, errorHandling: ErrorHandling
    ) -> ParallelState? {
        let location = fields.location
        requireFields(["Branches"], in: fields)
        guard let value = fields.take("Branches") else { return nil }
        guard let elements = value.arrayValue else {
            error("The field 'Branches' must be an array", at: location.appending("Branches"))
            return nil
        }
        guard !elements.isEmpty else {
            error("Value cannot be empty", at: location.appending("Branches"))
            return nil
        }
        var branches: [StateGraph] = []
        for (position, element) in elements.enumerated() {
            let branchLocation = location.appending("Branches").appending(position)
            guard var branchFields = FieldReader(element, at: branchLocation, loader: &self, what: "A branch") else { continue }
            requireFields(["StartAt", "States"], in: branchFields)
            if let graph = loadGraph(fields: &branchFields, at: branchLocation) { branches.append(graph) }
            reportUnknownFields(branchFields)
        }
        guard let transition, branches.count == elements.count else { return nil }
        return ParallelState(branches: branches, transition: transition, dataProcessing: processing, errorHandling: errorHandling)
    }
}

extension Loader {
    /// The texts of every `{% ... %}` expression in a JSONata template.
    static func expressions(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): JSONataTemplate.expression(in: text).map { [$0] } ?? []
        case .array(let elements): elements.flatMap(expressions(in:))
        case .object(let object): object.values.flatMap(expressions(in:))
        default: []
        }
    }
}

extension JSONPointer {
    /// The pointer to the parent.
    func removingLast() -> JSONPointer {
        JSONPointer(tokens: Array(tokens.dropLast()))
    }
}
