import Synchronization

/// Each worker's last machine looked up, so that a worker starting executions of one machine finds it without
/// taking its machine table's lock (a compare-and-exchange and a store per start).
///
/// A worker's entry is read and written by that worker alone. Registrations (from any thread) move a generation on
/// after they change the tables, and an entry counts only while the generation it was found under is current: a
/// start reads the generation before it looks the machine up, so a lookup that raced a registration is looked up
/// again on the next start. Threads outside the pool share stripe 0, which has no entry: they take the lock.
final class MachineCache: @unchecked Sendable {
    private struct Entry {
        var name: String?
        var generation = -1
        var resources: RunResources?
    }

    /// Entries per 128 bytes: each worker's entry lies on cache lines of its own.
    private static let stride = 128 / MemoryLayout<Entry>.stride
    private let entries: UnsafeMutablePointer<Entry>
    private let count: Int
    private let generation = Atomic<Int>(0)

    /// Entries for stripes `1..<stripes` (stripe 0 has none).
    init(stripes: Int) {
        count = max(1, stripes) * Self.stride
        entries = .allocate(capacity: count)
        entries.initialize(repeating: Entry(), count: count)
    }

    deinit {
        entries.deinitialize(count: count)
        entries.deallocate()
    }

    /// Forgets every entry; called after every registration has changed the tables.
    func invalidate() {
        generation.add(1, ordering: .releasing)
    }

    /// The machine named `name` for `stripe`: the stripe's entry when it is for `name` and current, else what
    /// `lookUp` finds (remembered for the stripe's next start). Call it only from the stripe's own thread.
    @inline(__always)
    func resources(named name: String, stripe: Int, lookUp: () -> RunResources?) -> RunResources? {
        guard stripe > 0 else { return lookUp() }
        let current = generation.load(ordering: .acquiring)
        let entry = entries + stripe * Self.stride
        if entry.pointee.generation == current, entry.pointee.name == name { return entry.pointee.resources }
        let found = lookUp()
        entry.pointee = Entry(name: name, generation: current, resources: found)
        return found
    }
}
