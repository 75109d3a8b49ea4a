import QuickstepJSON

/// A Task state: calls a resource (a Lambda function, a service integration, an activity) and processes its result.
public struct TaskState: Sendable {
    public var resource: TaskResource
    public var transition: Transition
    public var dataProcessing: DataProcessing
    public var errorHandling: ErrorHandling
    /// `TimeoutSeconds` or `TimeoutSecondsPath`.
    public var timeoutSeconds: DynamicValue<Int>?
    /// `HeartbeatSeconds` or `HeartbeatSecondsPath`.
    public var heartbeatSeconds: DynamicValue<Int>?
    /// `Credentials`, kept as written.
    public var credentials: JSONValue?
}

/// A Task's `Resource` ARN, classified.
public struct TaskResource: Sendable, Hashable {
    /// The ARN as written.
    public var arn: String
    public var kind: Kind
    public var pattern: IntegrationPattern

    /// What the ARN names.
    public enum Kind: Sendable, Hashable {
        /// `arn:aws:lambda:region:account:function:name[:qualifier]`: the result is the function's own result.
        case lambdaFunction(name: String)
        /// `arn:aws:states:region:account:activity:name`.
        case activity(name: String)
        /// `arn:aws:states:::service:action`, e.g. `lambda:invoke`.
        case serviceIntegration(service: String, action: String)
        /// `arn:aws:states:::aws-sdk:service:action`.
        case sdkIntegration(service: String, action: String)
    }

    /// How the state waits for the resource.
    public enum IntegrationPattern: String, Sendable, Hashable {
        case requestResponse = ""
        case sync = ".sync"
        case sync2 = ".sync:2"
        case waitForTaskToken = ".waitForTaskToken"
    }

    /// Classifies `arn`, or returns `nil` when it is not a resource ARN Step Functions recognises.
    public init?(arn: String) {
        self.arn = arn
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 6, parts[0] == "arn", !parts[1].isEmpty else { return nil }
        switch parts[2] {
        case "lambda":
            guard parts[5] == "function", parts.count >= 7, parts.count <= 8, !parts[6].isEmpty else { return nil }
            kind = .lambdaFunction(name: parts[6])
            pattern = .requestResponse
        case "states":
            if parts[3].isEmpty && parts[4].isEmpty {
                // arn:aws:states:::service:action[.pattern]
                var rest = Array(parts[5...])
                var sdk = false
                if rest.first == "aws-sdk" {
                    sdk = true
                    rest.removeFirst()
                }
                guard rest.count >= 2, !rest[0].isEmpty else { return nil }
                var action = rest[1...].joined(separator: ":")
                var pattern = IntegrationPattern.requestResponse
                for candidate in [IntegrationPattern.sync2, .sync, .waitForTaskToken] where action.hasSuffix(candidate.rawValue) {
                    pattern = candidate
                    action.removeLast(candidate.rawValue.count)
                    break
                }
                guard !action.isEmpty, !action.contains(":") else { return nil }
                kind = sdk ? .sdkIntegration(service: rest[0], action: action) : .serviceIntegration(service: rest[0], action: action)
                self.pattern = pattern
            } else if parts[5] == "activity", parts.count == 7, !parts[6].isEmpty {
                kind = .activity(name: parts[6])
                pattern = .requestResponse
            } else {
                return nil
            }
        default:
            return nil
        }
    }
}
