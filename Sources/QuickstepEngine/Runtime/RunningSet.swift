/// The running executions of one ``ExecutionRegistry`` stripe, by the random id that ends their ARN.
///
/// An open-addressing table with linear probing. The ids are random (UUID v4 bits), so their low bits index the
/// table directly: nothing is hashed. A removal shifts the entries after it back into the hole (no tombstones), so
/// a table that sees millions of executions come and go never degrades. It grows when half full and never
/// shrinks, like the dictionary it replaces. Why not a `Dictionary`: hashing each id with SipHash when it was
/// added and again when it was removed, and the dictionary's own bookkeeping, were 9 % of pass_chain_10's samples.
///
/// Generic so that it can be tested apart from runs (`Value` is `RunState` in the registry). Not thread-safe:
/// each stripe guards its set with its lock.
struct RunningSet<Value> {
    private var keys: [UUIDv4.Bits]
    private var runs: [Value?]
    /// The number of executions in the set.
    private(set) var count = 0

    /// Bits of the id the stripes already used (``ExecutionRegistry`` picks a stripe by the low six).
    private static var stripeBits: UInt64 { 6 }

    init(capacity: Int = 16) {
        keys = Array(repeating: UUIDv4.Bits(high: 0, low: 0), count: capacity)
        runs = Array(repeating: nil, count: capacity)
    }

    private var mask: Int { runs.count - 1 }

    /// Where `key` belongs when nothing is in the way.
    private func home(_ key: UUIDv4.Bits) -> Int {
        Int(truncatingIfNeeded: key.low >> Self.stripeBits) & mask
    }

    /// The slot holding `key`, or nil.
    private func slot(of key: UUIDv4.Bits) -> Int? {
        var slot = home(key)
        while runs[slot] != nil {
            if keys[slot] == key { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The execution with id `key`, or nil.
    func run(for key: UUIDv4.Bits) -> Value? {
        slot(of: key).flatMap { runs[$0] }
    }

    /// Adds (or replaces) the execution with id `key`.
    mutating func insert(_ run: Value, for key: UUIDv4.Bits) {
        if (count + 1) * 2 > runs.count { grow() }
        var slot = home(key)
        while runs[slot] != nil {
            if keys[slot] == key {
                runs[slot] = run
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        runs[slot] = run
        count += 1
    }

    /// Removes the execution with id `key` and returns it, or returns nil when there is none.
    @discardableResult
    mutating func remove(_ key: UUIDv4.Bits) -> Value? {
        guard var hole = slot(of: key) else { return nil }
        let removed = runs[hole]
        runs[hole] = nil
        count -= 1
        // Backward shift: an entry after the hole moves into it unless its home lies cyclically in (hole, slot],
        // where it is still reachable; stop at the first empty slot.
        var slot = (hole + 1) & mask
        while runs[slot] != nil {
            let wanted = home(keys[slot])
            let reachable = hole <= slot ? (hole < wanted && wanted <= slot) : (hole < wanted || wanted <= slot)
            if !reachable {
                keys[hole] = keys[slot]
                runs.swapAt(hole, slot)
                hole = slot
            }
            slot = (slot + 1) & mask
        }
        return removed
    }

    /// Every execution in the set, in no particular order.
    var all: [Value] { filter { _ in true } }

    /// The executions in the set that `isIncluded` accepts, in no particular order.
    func filter(_ isIncluded: (Value) -> Bool) -> [Value] {
        var accepted: [Value] = []
        for case let run? in runs where isIncluded(run) { accepted.append(run) }
        return accepted
    }

    private mutating func grow() {
        var larger = RunningSet<Value>(capacity: runs.count * 2)
        for slot in runs.indices {
            if let run = runs[slot] { larger.insert(run, for: keys[slot]) }
        }
        self = larger
    }
}
