import QuickstepJSON

extension Loader {
    mutating func loadErrorHandling(_ fields: inout FieldReader, language: QueryLanguage) -> ErrorHandling {
        var handling = ErrorHandling()
        let location = fields.location
        if let value = fields.take("Retry") {
            handling.retriers = entries(value, field: "Retry", at: location) { loader, entry, entryLocation in
                loader.loadRetrier(entry, at: entryLocation)
            }
        }
        if let value = fields.take("Catch") {
            handling.catchers = entries(value, field: "Catch", at: location) { loader, entry, entryLocation in
                loader.loadCatcher(entry, language: language, at: entryLocation)
            }
        }
        checkStatesAll(handling.retriers.map(\.errorEquals), field: "Retry", at: location)
        checkStatesAll(handling.catchers.map(\.errorEquals), field: "Catch", at: location)
        return handling
    }

    private mutating func entries<Entry>(
        _ value: JSONValue, field: String, at location: JSONPointer,
        load: (inout Loader, JSONValue, JSONPointer) -> Entry?
    ) -> [Entry] {
        guard let elements = value.arrayValue else {
            error("The field '\(field)' must be an array", at: location.appending(field))
            return []
        }
        return elements.enumerated().compactMap { load(&self, $1, location.appending(field).appending($0)) }
    }

    /// `States.ALL` must be alone in its `ErrorEquals` and in the last entry.
    private mutating func checkStatesAll(_ lists: [[String]], field: String, at location: JSONPointer) {
        for (position, errorEquals) in lists.enumerated() where errorEquals.contains(ErrorName.all) {
            let entry = location.appending(field).appending(position)
            if errorEquals.count > 1 {
                error("'States.ALL' must appear alone in 'ErrorEquals'", at: entry.appending("ErrorEquals"))
            }
            if position != lists.count - 1 {
                error("The \(field) entry with 'States.ALL' must be the last one", at: entry)
            }
        }
    }

    private mutating func loadRetrier(_ value: JSONValue, at location: JSONPointer) -> Retrier? {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "A Retry entry") else { return nil }
        defer { reportUnknownFields(fields) }
        requireFields(["ErrorEquals"], in: fields)
        _ = fields.take("Comment")
        let errorEquals = stringArray(fields.take("ErrorEquals"), field: "ErrorEquals", at: location)
        var retrier = Retrier(errorEquals: errorEquals ?? [])
        if let interval = integer(fields.take("IntervalSeconds"), field: "IntervalSeconds", at: location, range: 1...99_999_999) {
            retrier.intervalSeconds = interval
        }
        if let attempts = integer(fields.take("MaxAttempts"), field: "MaxAttempts", at: location, range: 0...99_999_999) {
            retrier.maxAttempts = attempts
        }
        if let rate = number(fields.take("BackoffRate"), field: "BackoffRate", at: location, range: -Double.infinity...Double.infinity) {
            if rate >= 1 {
                retrier.backoffRate = rate
            } else {
                error("The value of the field 'BackoffRate' must be at least 1.0, but was \(rate)", at: location.appending("BackoffRate"))
            }
        }
        retrier.maxDelaySeconds = integer(fields.take("MaxDelaySeconds"), field: "MaxDelaySeconds", at: location, range: 1...31_622_401)
        if let jitter = fields.take("JitterStrategy") {
            if let text = jitter.stringValue, let strategy = Retrier.JitterStrategy(rawValue: text) {
                retrier.jitterStrategy = strategy
            } else {
                error("The field 'JitterStrategy' should have one of these values: [FULL, NONE]", at: location.appending("JitterStrategy"))
            }
        }
        return errorEquals == nil ? nil : retrier
    }

    private mutating func loadCatcher(_ value: JSONValue, language: QueryLanguage, at location: JSONPointer) -> Catcher? {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "A Catch entry") else { return nil }
        defer { reportUnknownFields(fields) }
        requireFields(["ErrorEquals", "Next"], in: fields)
        _ = fields.take("Comment")
        let errorEquals = stringArray(fields.take("ErrorEquals"), field: "ErrorEquals", at: location)
        let next = string(fields.take("Next"), field: "Next", at: location)
        var resultPath = OptionalPath.path(.input)
        var output: JSONataTemplate?
        if language == .jsonPath {
            if let path = optionalPath(fields.take("ResultPath"), field: "ResultPath", at: location, reference: true) {
                resultPath = path
            }
        } else if let value = fields.take("Output") {
            output = JSONataTemplate(value)
        }
        var assign: Assignment?
        if let value = fields.take("Assign") { assign = assignment(value, language: language, at: location.appending("Assign")) }
        guard let errorEquals, let next else { return nil }
        return Catcher(errorEquals: errorEquals, next: next, resultPath: resultPath, output: output, assign: assign)
    }
}
