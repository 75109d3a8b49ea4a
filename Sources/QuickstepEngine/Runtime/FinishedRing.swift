import Synchronization

/// The most recently finished executions, a fixed number of them, written by every worker without a lock they
/// all share.
///
/// Each finish takes a ticket (one atomic add) and writes the slot the ticket names; the slots are spread over
/// locks of their own (slot `s` under lock `s % stripes`), so two finishes contend only when their slots share a
/// lock. One lock around the whole ring was the one lock every execution of every worker took (1.7 % of
/// pass_chain_10's samples with 2 workers, in `pthread_mutex_lock` alone, and a line every core wrote).
///
/// Readers walk the slots from the newest ticket back. A finish that has its ticket but has not written yet
/// leaves its slot as it was (empty, or the entry one lap older), which a reader skips or reads as it is; the
/// registry writes a run here before it leaves the running set, so a run is always in one or the other.
final class FinishedRing<Entry>: @unchecked Sendable {
    private let tickets = Atomic<Int>(0)
    private let stripes: LockedStripes<[Entry?]>
    /// How many entries the ring keeps.
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        let stripeCount = min(64, capacity)
        stripes = LockedStripes(count: stripeCount) { stripe in
            Array(repeating: nil, count: (capacity - stripe + stripeCount - 1) / stripeCount)
        }
    }

    /// The lock and the index within it of slot `slot`.
    private func locate(_ slot: Int) -> (stripe: Int, index: Int) {
        (slot % stripes.count, slot / stripes.count)
    }

    /// Puts `entry` in the next slot and returns the entry it replaced, for the caller to release outside any lock.
    func append(_ entry: Entry) -> Entry? {
        let ticket = tickets.wrappingAdd(1, ordering: .relaxed).oldValue
        let (stripe, index) = locate(ticket % capacity)
        return stripes.withLock(stripe) { slots in
            let replaced = slots[index]
            slots[index] = entry
            return replaced
        }
    }

    /// Visits the entries newest first (in ticket order) until `body` returns false.
    func forEachNewestFirst(_ body: (Entry) -> Bool) {
        let issued = tickets.load(ordering: .relaxed)
        guard issued > 0 else { return }
        for offset in 1...min(capacity, issued) {
            let (stripe, index) = locate((issued - offset) % capacity)
            guard let entry = stripes.withLock(stripe, { $0[index] }) else { continue }
            if !body(entry) { return }
        }
    }
}
