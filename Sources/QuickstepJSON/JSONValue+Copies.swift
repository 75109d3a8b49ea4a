import CQuickstepReferences

extension JSONValue {
    /// Two copies of the value, made with one atomic increment of its storage's reference count where a copy
    /// takes a reference (an object), instead of one per copy.
    public func twoCopies() -> (JSONValue, JSONValue) {
        // An object with a key index (a large one) holds a second reference: copied as any value is.
        guard case .object(let object) = self, object.index == nil else { return (self, self) }
        let address = Unmanaged.passUnretained(object.members.storage).toOpaque()
        quickstep_retain_references(address, 2)
        return (.object(JSONObject(unindexed: JSONObject.Members(taking: address))),
                .object(JSONObject(unindexed: JSONObject.Members(taking: address))))
    }
}

extension JSONObject {
    /// An object of `members` without a key index (as the object they were shared from has none).
    init(unindexed members: Members) {
        self.members = members
        index = nil
    }
}

extension JSONObject.Members {
    /// Members in the storage at `address`, taking over a reference the caller counted for it.
    init(taking address: UnsafeMutableRawPointer) {
        storage = Unmanaged<JSONObject.Storage>.fromOpaque(address).takeRetainedValue()
    }
}
