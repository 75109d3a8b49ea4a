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
    /// One slot: an id and its execution, or the empty id and nil.
    private struct Slot {
        var key: UUIDv4.Bits
        var value: Value?
    }

    /// The table. Probing reads ids only: an id is never the empty one (``empty``), so a slot's id tells whether it
    /// is taken, and the executions' reference counts are touched only when one is stored or taken out (comparing
    /// each probed slot's execution with nil retained and released it, two of the set's five atomic operations
    /// per execution).
    private var slots: [Slot]
    /// The number of executions in the set.
    private(set) var count = 0

    /// The id of an empty slot. No execution has it: a version 4 UUID has its version bits set.
    private static var empty: UUIDv4.Bits { UUIDv4.Bits(high: 0, low: 0) }

    /// Bits of the id the stripes already used (``ExecutionRegistry`` picks a stripe by the low six).
    private static var stripeBits: UInt64 { 6 }

    init(capacity: Int = 16) {
        slots = Array(repeating: Slot(key: Self.empty, value: nil), count: capacity)
    }

    private var mask: Int { slots.count - 1 }

    /// Where `key` belongs when nothing is in the way, in a table of `mask + 1` slots.
    private static func home(_ key: UUIDv4.Bits, mask: Int) -> Int {
        Int(truncatingIfNeeded: key.low >> stripeBits) & mask
    }

    /// The slot holding `key` in `table`, or nil.
    private static func slot(of key: UUIDv4.Bits, in table: UnsafeBufferPointer<Slot>) -> Int? {
        let mask = table.count - 1
        var slot = home(key, mask: mask)
        while table[slot].key != empty {
            if table[slot].key == key { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The execution with id `key`, or nil.
    func run(for key: UUIDv4.Bits) -> Value? {
        slots.withUnsafeBufferPointer { table in Self.slot(of: key, in: table).flatMap { table[$0].value } }
    }

    /// Adds (or replaces) the execution with id `key`, which is not the empty id.
    mutating func insert(_ run: Value, for key: UUIDv4.Bits) {
        precondition(key != Self.empty, "an execution id is never all zero")
        if (count + 1) * 2 > slots.count { grow() }
        let added = slots.withUnsafeMutableBufferPointer { table -> Bool in
            let mask = table.count - 1
            var slot = Self.home(key, mask: mask)
            while table[slot].key != Self.empty {
                if table[slot].key == key {
                    table[slot].value = run
                    return false
                }
                slot = (slot + 1) & mask
            }
            table[slot] = Slot(key: key, value: run)
            return true
        }
        if added { count += 1 }
    }

    /// Removes the execution with id `key` and returns it, or returns nil when there is none.
    @discardableResult
    mutating func remove(_ key: UUIDv4.Bits) -> Value? {
        let removed = slots.withUnsafeMutableBufferPointer { table -> Value?? in
            guard var hole = Self.slot(of: key, in: UnsafeBufferPointer(table)) else { return nil }
            let mask = table.count - 1
            // Taken out, not copied: the caller gets the set's reference.
            let removed = table[hole].value.take()
            table[hole].key = Self.empty
            // Backward shift: an entry after the hole moves into it unless its home lies cyclically in (hole, slot],
            // where it is still reachable; stop at the first empty slot. Swapped, so no reference count moves.
            var slot = (hole + 1) & mask
            while table[slot].key != Self.empty {
                let wanted = Self.home(table[slot].key, mask: mask)
                let reachable = hole <= slot ? (hole < wanted && wanted <= slot) : (hole < wanted || wanted <= slot)
                if !reachable {
                    table.swapAt(hole, slot)
                    hole = slot
                }
                slot = (slot + 1) & mask
            }
            return .some(removed)
        }
        guard let removed else { return nil }
        count -= 1
        return removed
    }

    /// Every execution in the set, in no particular order.
    var all: [Value] { filter { _ in true } }

    /// The executions in the set that `isIncluded` accepts, in no particular order.
    func filter(_ isIncluded: (Value) -> Bool) -> [Value] {
        var accepted: [Value] = []
        for case let run? in slots.lazy.map(\.value) where isIncluded(run) { accepted.append(run) }
        return accepted
    }

    private mutating func grow() {
        var larger = RunningSet<Value>(capacity: slots.count * 2)
        for slot in slots where slot.key != Self.empty {
            if let run = slot.value { larger.insert(run, for: slot.key) }
        }
        self = larger
    }
}
