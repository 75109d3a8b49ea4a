import QuickstepJSON

extension Loader {
    mutating func loadMap(
        _ fields: inout FieldReader, language: QueryLanguage, transition: Transition?, processing: DataProcessing,
        errorHandling: ErrorHandling
    ) -> MapState? {
        let location = fields.location
        let hasProcessor = fields.has("ItemProcessor")
        let hasIterator = fields.has("Iterator")
        if hasProcessor == hasIterator {
            error(hasProcessor ? "The fields 'ItemProcessor' and 'Iterator' cannot be used together"
                               : "The field 'ItemProcessor' is required but was missing", at: location)
        }
        let processorField = hasProcessor ? "ItemProcessor" : "Iterator"
        var processor: StateGraph?
        var mode = MapState.ProcessorMode.inline
        var executionType: String?
        if let value = fields.take(processorField) {
            let processorLocation = location.appending(processorField)
            if var processorFields = FieldReader(value, at: processorLocation, loader: &self, what: "'\(processorField)'") {
                requireFields(["StartAt", "States"], in: processorFields)
                if let config = processorFields.take("ProcessorConfig") {
                    (mode, executionType) = loadProcessorConfig(config, at: processorLocation.appending("ProcessorConfig"))
                }
                processor = loadGraph(fields: &processorFields, at: processorLocation)
                reportUnknownFields(processorFields)
            }
        }
        if hasProcessor && hasIterator { _ = fields.take("Iterator") }

        var itemsPath = JSONPath.input
        var items: JSONataTemplate?
        var itemSelector: MapState.ItemSelector?
        if language == .jsonPath {
            if let value = fields.take("ItemsPath") {
                if let text = value.stringValue {
                    itemsPath = path(text, field: "ItemsPath", at: location.appending("ItemsPath"), reference: true) ?? .input
                } else {
                    error("The field 'ItemsPath' must be a string", at: location.appending("ItemsPath"))
                }
            }
            if fields.has("ItemSelector") && fields.has("Parameters") {
                error("The fields 'ItemSelector' and 'Parameters' cannot be used together", at: location)
            }
            for field in ["ItemSelector", "Parameters"] {
                if let value = fields.take(field) {
                    itemSelector = payloadTemplate(value, field: field, at: location.appending(field)).map { .jsonPath($0) }
                }
            }
        } else {
            for field in ["ItemsPath", "Parameters"] where fields.has(field) {
                _ = fields.take(field)
                error("The field '\(field)' cannot be used in a JSONata state", at: location.appending(field))
            }
            if let value = fields.take("Items") { items = JSONataTemplate(value) }
            if let value = fields.take("ItemSelector") { itemSelector = .jsonata(JSONataTemplate(value)) }
        }
        if language == .jsonPath, fields.has("Items") {
            _ = fields.take("Items")
            error("The field 'Items' cannot be used in a JSONPath state", at: location.appending("Items"))
        }

        let maxConcurrency = dynamicValue("MaxConcurrency", in: &fields, language: language) { loader, value, location in
            loader.integer(value, field: "MaxConcurrency", at: location.removingLast(), range: 0...Int(Int32.max))
        }
        let toleratedCount = dynamicValue("ToleratedFailureCount", in: &fields, language: language) { loader, value, location in
            loader.integer(value, field: "ToleratedFailureCount", at: location.removingLast(), range: 0...Int(Int32.max))
        }
        let toleratedPercentage = dynamicValue("ToleratedFailurePercentage", in: &fields, language: language) { loader, value, location in
            loader.number(value, field: "ToleratedFailurePercentage", at: location.removingLast(), range: 0...100)
        }
        let itemReader = objectField("ItemReader", in: &fields)
        let itemBatcher = objectField("ItemBatcher", in: &fields)
        let resultWriter = objectField("ResultWriter", in: &fields)
        if let batcher = itemBatcher?.objectValue,
            !["MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"]
                .contains(where: { batcher[$0] != nil })
        {
            error("'ItemBatcher' needs at least one of MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, "
                  + "MaxInputBytesPerBatchPath", at: location.appending("ItemBatcher"))
        }
        let label = string(fields.take("Label"), field: "Label", at: location)
        if let label, label.count > 40 || label.contains(where: { " \t\n?*<>{}[]:;,\\|^~$#%&`\"".contains($0) }) {
            error("The field 'Label' must be at most 40 characters, without whitespace or ?*<>{}[]:;,\\|^~$#%&`\"",
                  at: location.appending("Label"))
        }
        guard let processor, let transition else { return nil }
        return MapState(
            processor: processor, usesLegacyIterator: hasIterator && !hasProcessor, mode: mode, executionType: executionType,
            transition: transition, dataProcessing: processing, errorHandling: errorHandling, itemsPath: itemsPath,
            items: items, itemSelector: itemSelector, maxConcurrency: maxConcurrency, toleratedFailureCount: toleratedCount,
            toleratedFailurePercentage: toleratedPercentage, itemReader: itemReader, itemBatcher: itemBatcher,
            resultWriter: resultWriter, label: label)
    }

    private mutating func loadProcessorConfig(_ value: JSONValue, at location: JSONPointer) -> (MapState.ProcessorMode, String?) {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "'ProcessorConfig'") else { return (.inline, nil) }
        defer { reportUnknownFields(fields) }
        var mode = MapState.ProcessorMode.inline
        if let value = fields.take("Mode") {
            if let text = value.stringValue, let parsed = MapState.ProcessorMode(rawValue: text) {
                mode = parsed
            } else {
                error("The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]", at: location.appending("Mode"))
            }
        }
        var executionType: String?
        if let value = fields.take("ExecutionType") {
            if let text = value.stringValue, ["STANDARD", "EXPRESS"].contains(text) {
                executionType = text
            } else {
                error("The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
                      at: location.appending("ExecutionType"))
            }
        }
        return (mode, executionType)
    }

    private mutating func objectField(_ field: String, in fields: inout FieldReader) -> JSONValue? {
        guard let value = fields.take(field) else { return nil }
        guard value.objectValue != nil else {
            error("The field '\(field)' must be an object", at: fields.location.appending(field))
            return nil
        }
        return value
    }
}
