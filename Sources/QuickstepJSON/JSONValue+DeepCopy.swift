extension JSONValue {
    /// A copy that shares no storage with this value: every array, object and out-of-line string is new.
    ///
    /// For a value that several threads retain and release at once (a mocked response every worker answers with):
    /// a reference count written by every core moves its cache line from core to core on each write, whereas each
    /// thread's own copy keeps its counts on lines of its own.
    public func deepCopy() -> JSONValue {
        deepCopy(isRoot: true)
    }

    /// The copy; a root object gets room for a few more members, as a parsed document's does.
    private func deepCopy(isRoot: Bool) -> JSONValue {
        switch self {
        case .null, .bool, .int, .double: return self
        case .string(let text): return .string(Self.copy(text))
        case .array(let elements): return .array(elements.map { $0.deepCopy(isRoot: false) })
        case .object(let object):
            var members = JSONObject.Members(minimumCapacity: object.count + (isRoot ? JSONObject.roomToGrow : 0))
            for member in object.members {
                members.append(JSONObject.Entry(key: Self.copy(member.key), value: member.value.deepCopy(isRoot: false)))
            }
            return .object(JSONObject(uniqueMembers: members))
        }
    }

    /// A string with storage of its own (an inline string is copied by value anyway).
    private static func copy(_ text: String) -> String {
        String(decoding: Array(text.utf8), as: UTF8.self)
    }
}
