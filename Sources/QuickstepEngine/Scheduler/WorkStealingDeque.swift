import Atomics

/// A worker's local run queue: the Chase–Lev work-stealing deque ("Dynamic circular work-stealing deque",
/// SPAA 2005), in the C11 formulation of Lê, Pop, Cohen and Zappa Nardelli ("Correct and efficient work-stealing
/// for weak memory models", PPoPP 2013).
///
/// The owning worker pushes at the bottom; `pop` takes from the bottom (LIFO) and `steal` from the top (FIFO) with
/// one compare-and-swap. ``WorkerPool`` takes even its own work with `steal`, oldest first, for fairness (see
/// ``WorkerPool``'s `next(for:tick:)`). No locks. The ring has a fixed capacity; `push` reports a full ring and the
/// pool then sends the element to its injection queue instead, so the deque never has to grow (growing needs
/// safe memory reclamation for the old ring, which Swift has no cheap way to do).
///
/// Memory ordering: `bottom` is stored sequentially consistent by `push` and `pop` so that a worker about to park,
/// which reads every `bottom` after announcing itself, cannot miss an element pushed just before (see
/// ``Parker``). Slots are atomic (relaxed) because a thief may read a slot the owner is overwriting; the thief's
/// compare-and-swap on `top` then fails and the stale value is dropped unused.
final class WorkStealingDeque<Element: AnyObject>: @unchecked Sendable {
    private let slots: AtomicSlots
    private let mask: Int
    /// `top` and `bottom`, together on cache lines of their own: the owner reads and writes both on every push and
    /// take. (As two `ManagedAtomic` objects they were 32-byte allocations made one after another for every worker's
    /// deque, lines that two workers' indices could share, and each access called the class's pointer accessor.)
    private let indices = AtomicSlots(count: 2)
    private var top: UnsafeAtomic<Int> { indices[0] }
    private var bottom: UnsafeAtomic<Int> { indices[1] }

    /// A deque of `capacity` elements, rounded up to a power of two.
    init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        slots = AtomicSlots(count: size)
        mask = size - 1
    }

    deinit {
        while pop() != nil {}
        slots.deallocate()
        indices.deallocate()
    }

    /// Owner only. Returns false, keeping nothing, when the ring is full.
    func push(_ element: Element) -> Bool {
        let retained = Unmanaged.passRetained(element)
        if push(retained: retained) { return true }
        retained.release()
        return false
    }

    /// Owner only: pushes a reference the caller retained, which the deque takes over (a caller handing its own
    /// reference over spares a retain and a release). Returns false, taking nothing, when the ring is full.
    func push(retained element: Unmanaged<Element>) -> Bool {
        let bottom = self.bottom.load(ordering: .relaxed)
        let top = self.top.load(ordering: .acquiring)
        guard bottom - top <= mask else { return false }
        slots[bottom & mask].store(AtomicSlots.bits(of: element), ordering: .relaxed)
        self.bottom.store(bottom + 1, ordering: .sequentiallyConsistent)
        return true
    }

    /// Owner only: the most recently pushed element.
    func pop() -> Element? {
        let bottom = self.bottom.load(ordering: .relaxed) - 1
        self.bottom.store(bottom, ordering: .sequentiallyConsistent)
        let top = self.top.load(ordering: .sequentiallyConsistent)
        guard top <= bottom else {
            self.bottom.store(bottom + 1, ordering: .relaxed)
            return nil
        }
        let bits = slots[bottom & mask].load(ordering: .relaxed)
        if top == bottom {
            // The last element: a thief may be taking it at the same moment; the compare-and-swap decides.
            let won = self.top.compareExchange(expected: top, desired: top + 1, ordering: .sequentiallyConsistent).exchanged
            self.bottom.store(bottom + 1, ordering: .relaxed)
            return won ? AtomicSlots.takeRetained(bits, as: Element.self) : nil
        }
        return AtomicSlots.takeRetained(bits, as: Element.self)
    }

    /// Any thread: the oldest element, or nil when the deque is empty or another thread won it.
    func steal() -> Element? {
        let top = self.top.load(ordering: .sequentiallyConsistent)
        let bottom = self.bottom.load(ordering: .sequentiallyConsistent)
        guard top < bottom else { return nil }
        let bits = slots[top & mask].load(ordering: .relaxed)
        guard self.top.compareExchange(expected: top, desired: top + 1, ordering: .sequentiallyConsistent).exchanged else {
            return nil
        }
        return AtomicSlots.takeRetained(bits, as: Element.self)
    }

    /// About how many elements the deque holds (a relaxed snapshot, for scheduling decisions only).
    var approximateCount: Int {
        max(0, bottom.load(ordering: .relaxed) - top.load(ordering: .relaxed))
    }

    /// Whether the deque looks non-empty (a snapshot, sequentially consistent).
    var hasElements: Bool {
        let top = self.top.load(ordering: .sequentiallyConsistent)
        return self.bottom.load(ordering: .sequentiallyConsistent) > top
    }
}
