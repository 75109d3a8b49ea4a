/// The most recently finished executions, written by every worker with nothing they share.
///
/// The ring is split into segments, one per thread that finishes executions (a worker, or the threads outside the
/// pool), each a ring of `capacity` slots under a lock of its own that only its thread takes while appending. An
/// entry carries its finish time (`order`); readers rank the entries of every segment by it and see only the newest
/// `capacity` of them, newest first, so the ring behaves as one ring of `capacity` entries ordered by finish time.
///
/// Why segments: one ring shared by every worker was a ticket counter every finish added to, slots that workers
/// wrote in turn, and runs evicted from it that another worker had finished (its reference count and memory on
/// another core's lines): with 2 workers, about a third of pass_chain_10's CPU time per execution went to these
/// and to the registry's shared stripes (1.56 → 1.08 µs per execution, median of eight runs, with both made per
/// worker). What it costs: up to `capacity` entries per segment are kept alive, the older ones invisible, so a
/// ring holds at most `segments × capacity` entries; and a read looks at all of them (reads are rare, finishes are
/// not).
final class FinishedRing<Entry>: @unchecked Sendable {
    private struct Slot {
        var order: Int64
        var entry: Entry
    }

    /// One thread's ring: `capacity` slots filled in turn from `next`. The slots are memory of the ring's own, not
    /// an array: a write to an array held in the lock's state first asked whether the array was shared (a call),
    /// and each slot's store checked its bounds (appending took 120 instructions).
    private struct Segment {
        let slots: UnsafeMutablePointer<Slot?>
        var next = 0
    }

    private let segments: LockedStripes<Segment>
    /// How many entries the ring shows.
    let capacity: Int

    /// A ring showing the newest `capacity` entries, appended from `segments` threads (segment indices `0..<segments`).
    init(capacity: Int, segments: Int) {
        precondition(capacity > 0 && segments > 0)
        self.capacity = capacity
        self.segments = LockedStripes(count: segments) { _ in
            let slots = UnsafeMutablePointer<Slot?>.allocate(capacity: capacity)
            slots.initialize(repeating: nil, count: capacity)
            return Segment(slots: slots)
        }
    }

    deinit {
        for index in 0..<segments.count {
            segments.withLock(index) { segment in
                segment.slots.deinitialize(count: capacity)
                segment.slots.deallocate()
            }
        }
    }

    /// The slots of a segment, to read.
    private func slots(of segment: Segment) -> UnsafeBufferPointer<Slot?> {
        UnsafeBufferPointer(start: segment.slots, count: capacity)
    }

    /// Puts `entry`, which finished at `order` (later entries have larger orders), in segment `segment`'s next
    /// slot, and returns the entry it replaced there, for the caller to release outside any lock.
    ///
    /// The entry is taken over, into the closure through an optional (a consumed parameter cannot be consumed
    /// inside a closure): stored as a copy, it was retained in the slot and released by the caller, per execution.
    func append(_ entry: consuming Entry, order: Int64, segment: Int) -> Entry? {
        var handedOver = Optional(entry)
        return segments.withLock(segment % segments.count) { segment in
            let slot = segment.slots + segment.next
            segment.next = segment.next + 1 == capacity ? 0 : segment.next + 1
            let replaced = slot.move()
            slot.initialize(to: Slot(order: order, entry: handedOver.take().unsafelyUnwrapped))
            return replaced?.entry
        }
    }

    /// Visits the newest `capacity` entries, newest first, until `body` returns false.
    func forEachNewestFirst(_ body: (Entry) -> Bool) {
        var all: [Slot] = []
        for segment in 0..<segments.count {
            segments.withLock(segment) { for case let slot? in slots(of: $0) { all.append(slot) } }
        }
        all.sort { $0.order > $1.order }
        for slot in all.prefix(capacity) where !body(slot.entry) { return }
    }

    /// The newest entry that `matches` accepts, if it is among the newest `capacity` entries.
    ///
    /// Looks the entry up in each segment, then counts the entries newer than it: no sort.
    func newest(where matches: (Entry) -> Bool) -> Entry? {
        var found: Slot?
        for segment in 0..<segments.count {
            segments.withLock(segment) { segment in
                for case let slot? in slots(of: segment) where matches(slot.entry) {
                    if found.map({ slot.order > $0.order }) ?? true { found = slot }
                }
            }
        }
        guard let found else { return nil }
        var newer = 0
        for segment in 0..<segments.count {
            newer += segments.withLock(segment) { segment in
                slots(of: segment).reduce(0) { count, slot in count + (slot.map { $0.order > found.order ? 1 : 0 } ?? 0) }
            }
        }
        return newer < capacity ? found.entry : nil
    }
}
