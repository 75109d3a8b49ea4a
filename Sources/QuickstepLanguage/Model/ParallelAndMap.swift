import QuickstepJSON

/// A Parallel state: runs every branch on the same input and collects their outputs in branch order.
public struct ParallelState: Sendable {
    public var branches: [StateGraph]
    public var transition: Transition
    public var dataProcessing: DataProcessing
    public var errorHandling: ErrorHandling
}

/// A Map state: runs its item processor once per item and collects the outputs in item order.
public struct MapState: Sendable {
    public var processor: StateGraph
    /// Whether the processor was given as the deprecated `Iterator`.
    public var usesLegacyIterator: Bool
    public var mode: ProcessorMode
    /// `ProcessorConfig.ExecutionType` (distributed mode).
    public var executionType: String?
    public var transition: Transition
    public var dataProcessing: DataProcessing
    public var errorHandling: ErrorHandling
    /// JSONPath `ItemsPath` (a reference path; `$` unless set).
    public var itemsPath: JSONPath
    /// JSONata `Items`.
    public var items: JSONataTemplate?
    /// `ItemSelector`, or the deprecated JSONPath `Parameters` of a Map.
    public var itemSelector: ItemSelector?
    public var maxConcurrency: DynamicValue<Int>?
    public var toleratedFailureCount: DynamicValue<Int>?
    public var toleratedFailurePercentage: DynamicValue<Double>?
    /// `ItemReader`, `ItemBatcher` and `ResultWriter` (distributed mode), kept as written.
    public var itemReader: JSONValue?
    public var itemBatcher: JSONValue?
    public var resultWriter: JSONValue?
    public var label: String?

    /// `ProcessorConfig.Mode`.
    public enum ProcessorMode: String, Sendable {
        case inline = "INLINE"
        case distributed = "DISTRIBUTED"
    }

    /// The per-item template in either query language.
    public enum ItemSelector: Sendable {
        case jsonPath(PayloadTemplate)
        case jsonata(JSONataTemplate)
    }
}
