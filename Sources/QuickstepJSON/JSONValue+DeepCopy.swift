extension JSONValue {
    /// A copy that shares no storage with this value: every array, object and out-of-line string is new.
    ///
    /// For a value that several threads retain and release at once (a mocked response every worker answers with):
    /// a reference count written by every core moves its cache line from core to core on each write, whereas each
    /// thread's own copy keeps its counts on lines of its own.
    public func deepCopy() -> JSONValue {
        switch self {
        case .null, .bool, .int, .double: self
        case .string(let text): .string(Self.copy(text))
        case .array(let elements): .array(elements.map { $0.deepCopy() })
        case .object(let object):
            .object(JSONObject(uniqueMembers: object.members.map { JSONObject.Entry(key: Self.copy($0.key), value: $0.value.deepCopy()) }))
        }
    }

    /// A string with storage of its own (an inline string is copied by value anyway).
    private static func copy(_ text: String) -> String {
        String(decoding: Array(text.utf8), as: UTF8.self)
    }
}
