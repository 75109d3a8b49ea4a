import Atomics

/// A fixed array of atomic words, one allocation on cache lines of its own (``CacheLines``), for the lock-free
/// queues' slots and indices.
///
/// Objects travel through the slots as retained opaque pointers (`Unmanaged`): whoever takes an element out
/// takes over the reference, so a slot never holds a reference that two threads think they own.
struct AtomicSlots: @unchecked Sendable {
    private let words: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    let count: Int

    init(count: Int, initialValue: (Int) -> Int = { _ in 0 }) {
        self.count = count
        words = CacheLines.allocate(byteCount: count * MemoryLayout<UnsafeAtomic<Int>.Storage>.stride)
            .bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: count)
        for index in 0..<count { (words + index).initialize(to: UnsafeAtomic<Int>.Storage(initialValue(index))) }
    }

    /// How many words fill one block of ``CacheLines``: slots that many apart never share a line.
    static var wordsPerCacheLines: Int { CacheLines.size / MemoryLayout<Int>.stride }

    /// Frees the slots; the caller guarantees no thread uses them any more.
    func deallocate() {
        words.deinitialize(count: count)
        words.deallocate()
    }

    @inline(__always)
    subscript(_ index: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: words + index)
    }

    /// The bits of a reference the caller retained, for a slot, which takes the retain over.
    @inline(__always)
    static func bits<Element: AnyObject>(of retained: Unmanaged<Element>) -> Int {
        Int(bitPattern: retained.toOpaque())
    }

    /// The reference whose bits a slot held; the caller takes over the retain.
    @inline(__always)
    static func takeRetained<Element: AnyObject>(_ bits: Int, as type: Element.Type) -> Element {
        Unmanaged<Element>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeRetainedValue()
    }
}
