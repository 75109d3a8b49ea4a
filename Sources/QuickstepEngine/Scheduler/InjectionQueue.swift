import Atomics
import DequeModule

/// Where runs from outside the workers arrive (new executions, handler completions, timers, stops): a bounded
/// multi-producer multi-consumer ring (Dmitry Vyukov's, each slot stamped with a sequence number), lock-free on
/// the path every run takes, with a locked overflow list behind it so that submitting never fails.
///
/// Once anything has overflowed, producers append to the overflow list until it drains, which keeps arrivals
/// roughly first-in first-out and guarantees the overflow cannot starve behind a ring that keeps refilling.
final class InjectionQueue<Element: AnyObject>: @unchecked Sendable {
    private let sequences: AtomicSlots
    private let values: AtomicSlots
    private let mask: Int
    /// The enqueue and dequeue positions and the overflow's count, each on cache lines of its own (producers
    /// write the first, consumers the second). Every worker reads them on every take (``approximateCount``): as
    /// `ManagedAtomic` objects each read was a call to the class's pointer accessor.
    private let positions = AtomicSlots(count: 3 * AtomicSlots.wordsPerCacheLines)
    private var enqueuePosition: UnsafeAtomic<Int> { positions[0] }
    private var dequeuePosition: UnsafeAtomic<Int> { positions[AtomicSlots.wordsPerCacheLines] }
    private var overflowCount: UnsafeAtomic<Int> { positions[2 * AtomicSlots.wordsPerCacheLines] }
    private let overflow = Locked(Deque<Element>())

    /// A ring of `capacity` slots, rounded up to a power of two.
    init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        sequences = AtomicSlots(count: size) { $0 }
        values = AtomicSlots(count: size)
        mask = size - 1
    }

    deinit {
        while dequeue() != nil {}
        sequences.deallocate()
        values.deallocate()
        positions.deallocate()
    }

    /// Any thread.
    func enqueue(_ element: Element) {
        enqueue(retained: Unmanaged.passRetained(element))
    }

    /// Any thread: enqueues a reference the caller retained, which the queue takes over.
    func enqueue(retained element: Unmanaged<Element>) {
        if overflowCount.load(ordering: .sequentiallyConsistent) > 0 || !enqueueInRing(element) {
            overflow.withLock { list in
                list.append(element.takeRetainedValue())
                overflowCount.wrappingIncrement(ordering: .sequentiallyConsistent)
            }
        }
    }

    private func enqueueInRing(_ element: Unmanaged<Element>) -> Bool {
        var position = enqueuePosition.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            if sequence == position {
                let (claimed, current) = enqueuePosition.weakCompareExchange(
                    expected: position, desired: position + 1, ordering: .sequentiallyConsistent)
                if claimed { break }
                position = current
            } else if sequence < position {
                return false
            } else {
                position = enqueuePosition.load(ordering: .relaxed)
            }
        }
        values[position & mask].store(AtomicSlots.bits(of: element), ordering: .relaxed)
        sequences[position & mask].store(position + 1, ordering: .releasing)
        return true
    }

    /// Any thread: the oldest element, or nil when there is none ready.
    func dequeue() -> Element? {
        var position = dequeuePosition.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            if sequence == position + 1 {
                let (claimed, current) = dequeuePosition.weakCompareExchange(
                    expected: position, desired: position + 1, ordering: .relaxed)
                if claimed { break }
                position = current
            } else if sequence < position + 1 {
                return overflowCount.load(ordering: .relaxed) > 0 ? dequeueOverflow() : nil
            } else {
                position = dequeuePosition.load(ordering: .relaxed)
            }
        }
        let bits = values[position & mask].load(ordering: .relaxed)
        sequences[position & mask].store(position + mask + 1, ordering: .releasing)
        return AtomicSlots.takeRetained(bits, as: Element.self)
    }

    private func dequeueOverflow() -> Element? {
        overflow.withLock { list in
            guard let element = list.popFirst() else { return nil }
            overflowCount.wrappingDecrement(ordering: .sequentiallyConsistent)
            return element
        }
    }

    /// About how many elements wait (a relaxed snapshot, for scheduling decisions only).
    var approximateCount: Int {
        max(0, enqueuePosition.load(ordering: .relaxed) - dequeuePosition.load(ordering: .relaxed))
            + overflowCount.load(ordering: .relaxed)
    }

    /// Whether anything was enqueued and not yet taken (a snapshot, sequentially consistent).
    var hasElements: Bool {
        overflowCount.load(ordering: .sequentiallyConsistent) > 0
            || enqueuePosition.load(ordering: .sequentiallyConsistent) != dequeuePosition.load(ordering: .sequentiallyConsistent)
    }
}
