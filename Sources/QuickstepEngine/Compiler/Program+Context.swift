import QuickstepLanguage

extension ProgramTables {
    /// Whether any path in the program reads the context object (`$$`). Only then does the VM read the clock
    /// when a state is entered (for `$$.State.EnteredTime`): one `clock_gettime` per state was 6% of a Pass chain.
    var readsContextObject: Bool {
        paths.contains(where: \.readsContext)
            || templates.contains { $0.template.readsContext } || assignments.contains { $0.template.readsContext }
            || choices.contains { $0.rules.contains(where: \.readsContext) }
            || fails.contains { ($0.error?.readsContext ?? false) || ($0.cause?.readsContext ?? false) }
            || waits.contains {
                switch $0 {
                case .seconds(let value): value.readsContext
                case .timestamp(let value): value.readsContext
                }
            }
            || maps.contains { $0.itemsPath.readsContext || ($0.maxConcurrency?.readsContext ?? false)
                || ($0.toleratedFailureCount?.readsContext ?? false) || ($0.toleratedFailurePercentage?.readsContext ?? false) }
            || tasks.contains { ($0.timeoutSeconds?.readsContext ?? false) || ($0.heartbeatSeconds?.readsContext ?? false) }
    }
}

extension JSONPath {
    var readsContext: Bool { root == .context }
}

extension PayloadTemplate {
    var readsContext: Bool {
        switch self {
        case .constant: false
        case .object(let members): members.contains { $0.value.readsContext }
        case .array(let elements): elements.contains(where: \.readsContext)
        case .path(let path): path.readsContext
        case .intrinsic(let call): call.readsContext
        }
    }
}

extension IntrinsicCall {
    var readsContext: Bool {
        arguments.contains {
            switch $0 {
            case .literal: false
            case .path(let path): path.readsContext
            case .call(let inner): inner.readsContext
            }
        }
    }
}

extension ChoiceRule {
    var readsContext: Bool {
        switch self {
        case .and(let rules), .or(let rules): rules.contains(where: \.readsContext)
        case .not(let rule): rule.readsContext
        case .test(let variable, _, let operand):
            if variable.readsContext {
                true
            } else if case .path(let path) = operand {
                path.readsContext
            } else {
                false
            }
        case .condition: false
        }
    }
}

extension DynamicValue {
    var readsContext: Bool {
        switch self {
        case .path(let path): path.readsContext
        case .intrinsic(let call): call.readsContext
        case .constant, .expression: false
        }
    }
}
