/// A strong reference that is nil in most instances of the object that holds it when that object is destroyed: a
/// run's or a graph's fields that only failures, retries, history, fan-outs or variables set.
///
/// Why: Swift destroys an `Optional` reference field with a call to `swift_release`, nil or not (the runtime checks
/// for nil), and a run and its top-level graph had thirteen such fields, nil on every execution of a workflow of
/// Pass and Choice states: 13 calls of about 11 instructions, 5 % of pass_chain_10's instructions per execution.
/// Here the check is inlined where the holder is destroyed, and a nil costs a test and a branch.
///
/// It owns one strong reference when it holds an object, as an `Optional` field would. It cannot be copied (a copy
/// would release the object twice): read it with ``object`` (a reference of the caller's own) or ``isNil``.
struct SeldomReference<Object: AnyObject>: ~Copyable {
    private var unmanaged: Unmanaged<Object>?

    @inline(__always)
    init(_ object: consuming Object?) {
        unmanaged = object.map { Unmanaged.passRetained($0) }
    }

    @inline(__always)
    init() { unmanaged = nil }

    @inline(__always)
    deinit { unmanaged?.release() }

    /// The object, as a strong reference of the caller's own.
    @inline(__always)
    var object: Object? { unmanaged?.takeUnretainedValue() }

    /// Whether it holds no object; read without touching a reference count.
    @inline(__always)
    var isNil: Bool { unmanaged == nil }

    /// The object, unretained: valid while this reference holds it (the holder keeps it alive).
    @inline(__always)
    var unretained: Unmanaged<Object>? { unmanaged }

    /// The object, handed over to the caller (no count changes hands); nil is left.
    @inline(__always)
    mutating func take() -> Object? {
        let taken = unmanaged
        unmanaged = nil
        return taken?.takeRetainedValue()
    }

    /// Holds `object` instead, releasing the one held before.
    @inline(__always)
    mutating func replace(with object: consuming Object?) {
        let old = unmanaged
        unmanaged = object.map { Unmanaged.passRetained($0) }
        old?.release()
    }
}
