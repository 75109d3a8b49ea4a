import Dispatch
import Synchronization

/// The engine's timers (Wait, retry back-off, task and heartbeat timeouts, execution timeouts): a min-heap of due
/// times served by one Dispatch timer source, which is re-armed for the earliest due time. Nothing sleeps on behalf
/// of an execution; a due timer posts its action into the run's inbox and wakes the run.
/// Thread safety: the heap is locked, and the source is re-armed under the same lock, so concurrent adds cannot
/// leave it armed for a later time than the earliest entry.
final class TimerService: @unchecked Sendable {
    private struct Entry {
        var due: Int64
        var sequence: Int
        var scheduler: UncheckedBox<RunScheduler>
        var action: UncheckedBox<RunScheduler.TimerAction>
    }

    private struct State {
        var heap: [Entry] = []
        var sequence = 0
        var armedFor = Int64.max
    }

    private let state = Locked(State())
    private let source: any DispatchSourceTimer
    private let queue = DispatchQueue(label: "quickstep.timers", qos: .userInitiated)

    init() {
        source = DispatchSource.makeTimerSource(queue: queue)
        source.setEventHandler { [weak self] in self?.fireDue() }
        source.schedule(deadline: .distantFuture)
        source.activate()
    }

    deinit {
        source.cancel()
    }

    func add(due: Int64, for scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        state.withLock { state in
            state.sequence += 1
            state.heap.append(Entry(due: due, sequence: state.sequence, scheduler: UncheckedBox(scheduler), action: UncheckedBox(action)))
            Self.siftUp(&state.heap, state.heap.count - 1)
            if due < state.armedFor {
                state.armedFor = due
                arm(for: due)
            }
        }
    }

    private func arm(for due: Int64) {
        let delay = max(0, due - RunScheduler.wallClockMilliseconds())
        source.schedule(deadline: .now() + .milliseconds(Int(delay)), leeway: .milliseconds(1))
    }

    private func fireDue() {
        let now = RunScheduler.wallClockMilliseconds()
        var due: [Entry] = []
        state.withLock { state in
            while let first = state.heap.first, first.due <= now {
                due.append(Self.popMin(&state.heap))
            }
            state.armedFor = state.heap.first?.due ?? .max
            if state.armedFor != .max { arm(for: state.armedFor) }
        }
        for entry in due { entry.scheduler.value.deliver(entry.action.value) }
    }

    private static func less(_ a: Entry, _ b: Entry) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }

    private static func siftUp(_ heap: inout [Entry], _ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popMin(_ heap: inout [Entry]) -> Entry {
        heap.swapAt(0, heap.count - 1)
        let minimum = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, less(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, less(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return minimum }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
