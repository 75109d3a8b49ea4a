import Atomics
import QuickstepLanguage

/// Where each compiled path's member steps (``JSONPath/Step``) last found their member, by the step's address: an
/// inline cache for ``PathEvaluator/walkDefinite(_:count:from:)``.
///
/// Objects of one workflow have one shape, so a step that found `i` at position 9 last time finds it there
/// again: one key compared instead of a scan from the first member (choice_heavy's `$.i` and `$.tmp.i` scanned ten
/// keys each, 1,600 instructions per execution). A step lives in its path's steps, in its program's memory, for
/// the program's life, so its address names it; each worker runs a program of its own, so workers use different
/// slots. Slots are shared by addresses that hash alike, and a slot may hold any position: a hint is only where to
/// look first, and a wrong one costs one comparison before the search. Written only when the member was elsewhere.
enum MemberHints {
    private static let slotCount = 4096
    /// The slots (4,096: ``slot(for:in:)`` keeps 12 bits of a hash).
    static let table = AtomicSlots(count: slotCount)

    /// The hint slot of the step at `step`, in `table` (``table``, read once by the caller).
    @inline(__always)
    static func slot(for step: UnsafeRawPointer, in table: AtomicSlots) -> UnsafeAtomic<Int> {
        // Fibonacci hashing: steps lie a fixed stride apart, so their addresses' low bits alone would crowd.
        let hash = UInt(bitPattern: Int(bitPattern: step)) &* 0x9E37_79B9_7F4A_7C15
        return table[Int(truncatingIfNeeded: hash >> UInt(UInt.bitWidth - 12))]
    }
}

extension JSONPath.Step {
    /// The name of the step at `step` (in a program's memory), where it lies.
    @inline(__always)
    static func name(of step: UnsafePointer<JSONPath.Step>) -> UnsafePointer<String> {
        UnsafeRawPointer(step).advanced(by: MemoryLayout<JSONPath.Step>.offset(of: \.name)!).assumingMemoryBound(to: String.self)
    }
}
