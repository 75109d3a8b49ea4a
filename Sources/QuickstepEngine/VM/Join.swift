import QuickstepJSON
import Synchronization

/// The children of a Map or Parallel state and their results, in order. The children hold the join, and the join
/// holds its owner, so a parked owner stays alive exactly as long as some child can still finish it.
final class Join {
    /// The Map or Parallel execution waiting for the children; the children keep it (and the join) alive.
    let owner: Execution
    /// Each child's output at its index; `null` until it ends (and for a tolerated failure).
    @exclusivity(unchecked) var results: [JSONValue]
    /// A Map's iteration inputs when they are its items as they are, inside an effective input known to fit the
    /// payload limit; empty otherwise. While every iteration's output is its input itself (same storage), the
    /// Map's output has the items array's very text, so it fits too and the execution's end need not walk it.
    @exclusivity(unchecked) var fittingInputs: [JSONValue] = []
    @exclusivity(unchecked) var remaining: Int
    /// How many children there are.
    let count: Int
    /// Set by the owner's strand when a child's failure ends the join; read by children on other strands.
    private let cancelled = Atomic<Bool>(false)
    var isCancelled: Bool {
        get { cancelled.load(ordering: .acquiring) }
        set { cancelled.store(newValue, ordering: .releasing) }
    }
    /// The strands the children are spread over besides the owner's: one per worker the host could spare
    /// (``RunHost/fanOutWidth``), none otherwise, so that most joins allocate no array for them.
    @exclusivity(unchecked) var otherStrands: [RunScheduler] = []
    /// How many strands the children are spread over, the owner's included.
    var strandCount: Int { otherStrands.count + 1 }

    /// The strand of the child at `position`: children are dealt over the strands in turn, the owner's first.
    func strand(for position: Int) -> RunScheduler {
        let slot = position % strandCount
        return slot == 0 ? owner.scheduler : otherStrands[slot - 1]
    }
    /// Children not started yet (Map with MaxConcurrency), in order.
    @exclusivity(unchecked) var waiting: [Execution] = []
    @exclusivity(unchecked) var running = 0
    let maxConcurrency: Int
    let isMap: Bool
    @exclusivity(unchecked) var failures = 0
    let toleratedCount: Int?
    let toleratedPercentage: Double?

    init(owner: Execution, count: Int, maxConcurrency: Int, isMap: Bool, toleratedCount: Int?, toleratedPercentage: Double?) {
        self.owner = owner
        results = JSONValue.nulls(count: count)
        remaining = count
        self.count = count
        self.maxConcurrency = maxConcurrency
        self.isMap = isMap
        self.toleratedCount = toleratedCount
        self.toleratedPercentage = toleratedPercentage
    }
}
