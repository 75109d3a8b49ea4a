/// A row of locked values (``StripeLocked``) that workers take one of at a time (the registry's stripes, the
/// finished ring's, the per-worker machine tables), called into without touching their reference counts.
///
/// Taking a `Locked` out of an array retains it and releases it again: a write to its object header, and the
/// headers of locks allocated one after another share cache lines, so two workers taking different stripes still
/// bounced one line between them (retains under the ring's and the registry's calls were among the first costs of
/// order_processing with 2 workers). The row keeps the locks alive and calls into them borrowed.
final class LockedStripes<State>: @unchecked Sendable {
    private let locks: [StripeLocked<State>]
    private let borrowed: UnsafeMutableBufferPointer<Unmanaged<StripeLocked<State>>>

    /// `count` locks, the `n`-th holding `make(n)`.
    init(count: Int, _ make: (Int) -> State) {
        locks = (0..<count).map { StripeLocked(make($0)) }
        borrowed = .owned(copying: locks.map(Unmanaged.passUnretained))
    }

    deinit {
        borrowed.freeOwned()
    }

    var count: Int { borrowed.count }

    /// Runs `body` on the state of lock `stripe`, holding that lock.
    func withLock<Result>(_ stripe: Int, _ body: (inout State) throws -> Result) rethrows -> Result {
        try borrowed[stripe]._withUnsafeGuaranteedRef { try $0.withLock(body) }
    }
}
