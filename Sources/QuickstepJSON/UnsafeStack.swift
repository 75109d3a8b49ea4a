/// A growable stack in manually managed memory, for the parser's pending values and keys.
///
/// Unlike an `Array`, it can hand a run of its top elements to a new array by *moving* them: no retain and
/// release per element, which was a third of the parser's instructions when pending elements were copied out of
/// an `Array` stack and then removed (callgrind, 10 KB document: 1.39M → see QuickstepJSON.docc).
@usableFromInline
struct UnsafeStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(initialCapacity: Int = 64) {
        capacity = initialCapacity
        base = .allocate(capacity: initialCapacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `start` to the top into a new array, leaving the stack `start` high.
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        var elements = [Element].withCapacity(moved)
        for position in start..<count { elements.append((base + position).move()) }
        count = start
        return elements
    }

    /// The element at `position`, which must be below the top.
    subscript(position: Int) -> Element {
        base[position]
    }

    /// Moves the element at `position` out; the caller must then drop the stack to at most `position` with
    /// ``forget(downTo:)`` without deinitializing it again.
    mutating func take(at position: Int) -> Element {
        (base + position).move()
    }

    /// Lowers the top to `start` for elements already moved out with ``take(at:)``.
    mutating func forget(downTo start: Int) {
        count = start
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
