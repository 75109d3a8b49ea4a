/// Reading values where they are, through pointers into their containers' storage, for loops that only look.
///
/// Copying a value out of a container, or binding an enum case's payload, is a copy: a retain and a release of
/// its storage, atomic writes that were a large part of the payload walk's time and of a Choice state's. A pointer
/// from here is valid while the container it points into lives unchanged: the caller keeps that container (or a
/// value holding it) alive and does not modify it while the pointer is in use.
extension JSONValue {
    /// The payload of the case `value` holds, in place: an enum's payload starts at its address. The caller has
    /// matched the case (without binding its payload).
    @inlinable
    static func payload<Payload>(of value: UnsafePointer<JSONValue>, as type: Payload.Type) -> UnsafePointer<Payload> {
        UnsafeRawPointer(value).assumingMemoryBound(to: type)
    }

    /// The value of member `key`, in place, with the member's position, when this value is an object that has such
    /// a member; `hint` is the position to try first (``JSONObject/position(of:hint:)``).
    ///
    /// The pointer points into the object's member storage, not into `self`: it stays valid after the call for as
    /// long as that storage lives unchanged (while the value the caller holds is neither released nor modified).
    @inlinable
    public func unsafeMember(_ key: String, hint: Int) -> (value: UnsafePointer<JSONValue>, position: Int)? {
        withUnsafePointer(to: self) { value in
            guard case .object = value.pointee else { return nil }
            let object = JSONValue.payload(of: value, as: JSONObject.self)
            guard let position = object.pointee.position(of: key, hint: hint),
                let members = object.pointee.members._baseAddressIfContiguous
            else { return nil }
            return (JSONObject.value(ofMemberAt: members + position), position)
        }
    }
}

extension JSONObject {
    /// The value of the member at `member`, in place. A tuple's elements are laid out in order, each at the next
    /// offset its alignment allows, so the value follows the key's stride.
    @inlinable
    static func value(ofMemberAt member: UnsafePointer<Member>) -> UnsafePointer<JSONValue> {
        UnsafeRawPointer(member).advanced(by: valueOffset).assumingMemoryBound(to: JSONValue.self)
    }

    /// Where a member's value starts. The check is on layout constants, so the optimizer folds it away.
    @inlinable
    static var valueOffset: Int {
        let offset = MemoryLayout<String>.stride
        precondition(offset % MemoryLayout<JSONValue>.alignment == 0
            && MemoryLayout<Member>.size == offset + MemoryLayout<JSONValue>.size)
        return offset
    }
}
