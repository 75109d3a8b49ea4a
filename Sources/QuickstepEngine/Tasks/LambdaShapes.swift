import QuickstepJSON

/// How Step Functions shapes Lambda calls: function ARNs from names, and the `lambda:invoke` response.
enum LambdaShapes {
    /// The full function ARN for a `FunctionName` given as a name, a partial ARN (`account:function:name`) or a
    /// full ARN (with or without a qualifier).
    static func functionArn(_ functionName: String, region: String, account: String) -> String {
        if functionName.hasPrefix("arn:") { return functionName }
        let parts = functionName.split(separator: ":")
        if parts.count >= 3, parts[1] == "function" { return "arn:aws:lambda:\(region):" + functionName }
        return "arn:aws:lambda:\(region):\(account):function:\(functionName)"
    }

    /// The event a function receives from `lambda:invoke`'s `Payload`: `{}` when there is none, and a string is
    /// the JSON text of the event (as the Invoke API takes it), parsed.
    static func event(from payload: JSONValue?) -> JSONValue {
        switch payload {
        case nil, .null?: return .object(JSONObject())
        case .string(let text)?: return (try? JSONParser.parse(text)) ?? .string(text)
        case let value?: return value
        }
    }

    /// A function error as `lambda:invoke` reports it: the error payload re-serialized compactly (AWS's Java side
    /// rewrites the Python runtime's `{"a": 1}` as `{"a":1}`).
    static func invokeFailure(_ failure: ExecutionFailure) -> ExecutionFailure {
        guard let cause = failure.cause, let document = try? JSONParser.parse(cause) else { return failure }
        return ExecutionFailure(error: failure.error, cause: document.compactText)
    }

    /// The result of `arn:aws:states:::lambda:invoke`: the function's payload wrapped in the Invoke response.
    /// `Content-Length` is that of the body the Python runtime writes (`json.dumps`, with its spaces).
    static func invokeResponse(payload: JSONValue, logType: String? = nil) -> JSONValue {
        let length = String(PythonJSON.length(of: payload))
        let requestId = UUIDv4.random()
        let date = HTTPDate.now()
        var response: JSONValue = [
            "ExecutedVersion": "$LATEST",
            "Payload": payload,
            "SdkHttpMetadata": [
                "AllHttpHeaders": [
                    "X-Amz-Executed-Version": ["$LATEST"], "x-amzn-Remapped-Content-Length": ["0"],
                    "Connection": ["keep-alive"], "x-amzn-RequestId": [.string(requestId)],
                    "Content-Length": [.string(length)], "Date": [.string(date)],
                    "X-Amzn-Trace-Id": [.string("Root=1-\(requestId.prefix(8))")], "Content-Type": ["application/json"],
                ],
                "HttpHeaders": [
                    "Connection": "keep-alive", "Content-Length": .string(length), "Content-Type": "application/json",
                    "Date": .string(date), "X-Amz-Executed-Version": "$LATEST", "x-amzn-Remapped-Content-Length": "0",
                    "x-amzn-RequestId": .string(requestId), "X-Amzn-Trace-Id": .string("Root=1-\(requestId.prefix(8))"),
                ],
                "HttpStatusCode": 200,
            ],
            "SdkResponseMetadata": ["RequestId": .string(requestId)],
            "StatusCode": 200,
        ]
        if logType == "Tail", case .object(var object) = response {
            // The last 4 KB of the function's log, Base64-encoded; a handler here writes no log.
            let log = Base64.encode(Array("START RequestId: \(requestId)\nEND RequestId: \(requestId)\n".utf8))
            object["LogResult"] = .string(log)
            if case .object(var metadata)? = object["SdkHttpMetadata"], case .object(var headers)? = metadata["AllHttpHeaders"],
                case .object(var single)? = metadata["HttpHeaders"]
            {
                headers["X-Amz-Log-Result"] = [.string(log)]
                single["X-Amz-Log-Result"] = .string(log)
                metadata["AllHttpHeaders"] = .object(headers)
                metadata["HttpHeaders"] = .object(single)
                object["SdkHttpMetadata"] = .object(metadata)
            }
            response = .object(object)
        }
        return response
    }
}

/// The `Date` header format (RFC 7231): `Tue, 15 Nov 1994 08:12:31 GMT`.
enum HTTPDate {
    static func now() -> String {
        let iso = Timestamps.iso8601(milliseconds: RunScheduler.wallClockMilliseconds())  // 2026-11-28T21:40:00.000Z
        let parts = iso.split(separator: "T")
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let dayNumber = RunScheduler.wallClockMilliseconds() / 86_400_000
        return "\(days[Int(dayNumber % 7)]), \(String(format2: date[2])) \(months[date[1] - 1]) \(date[0]) \(parts[1].prefix(8)) GMT"
    }
}

extension String {
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : String(value)
    }
}

/// The length of the text Python's `json.dumps` writes for a value (separators `", "` and `": "`, non-ASCII
/// escaped as `\uXXXX`), which is what a Python function's response body holds.
enum PythonJSON {
    static func length(of value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let flag): return flag ? 4 : 5
        case .int, .double: return value.compactText.utf8.count
        case .string(let text): return stringLength(text)
        case .array(let elements):
            return 2 + elements.reduce(0) { $0 + length(of: $1) } + max(0, elements.count - 1) * 2
        case .object(let object):
            return 2 + object.reduce(0) { $0 + stringLength($1.key) + 2 + length(of: $1.value) } + max(0, object.count - 1) * 2
        }
    }

    private static func stringLength(_ text: String) -> Int {
        var length = 2
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: length += 2
            case 0..<0x20, 0x7F..<0x10000: length += 6
            case 0x10000...: length += 12
            default: length += 1
            }
        }
        return length
    }
}
