import Dispatch

/// The engine's timers (Wait, retry back-off, task and heartbeat timeouts): a ``TimingWheel`` served by one
/// Dispatch timer source, armed for the wheel's next wake-up. Nothing sleeps on behalf of an execution; a due
/// timer posts its action into its strand's inbox, which wakes the strand.
///
/// Thread safety: the wheel is locked, and the source is re-armed under the same lock, so concurrent adds cannot
/// leave it armed later than the next wake-up. Due timers are delivered after the lock is released.
final class TimerService: @unchecked Sendable {
    /// What a timer does when due: deliver an action to its strand, or fire a ticket (``TimerTicket``), which holds
    /// the strand and the action only until it is cancelled.
    private enum Timer {
        case action(RunScheduler, RunScheduler.TimerAction)
        case ticket(TimerTicket)

        func fire() {
            switch self {
            case .action(let scheduler, let action): scheduler.deliver(action)
            case .ticket(let ticket): ticket.fire()
            }
        }
    }

    private struct State {
        var wheel = TimingWheel<Timer>(now: RunScheduler.wallClockMilliseconds())
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
        add(due: due, .action(scheduler, action))
    }

    func add(due: Int64, ticket: TimerTicket) {
        add(due: due, .ticket(ticket))
    }

    private func add(due: Int64, _ timer: Timer) {
        let now = RunScheduler.wallClockMilliseconds()
        let entry = TimingWheel<Timer>.Entry(due: due, payload: timer)
        let fired = state.withLock { state -> [TimingWheel<Timer>.Entry] in
            var fired = state.wheel.advance(to: now)
            if let already = state.wheel.add(entry) { fired.append(already) }
            rearm(&state, now: now)
            return fired
        }
        for entry in fired { entry.payload.fire() }
    }

    private func fireDue() {
        let now = RunScheduler.wallClockMilliseconds()
        let fired = state.withLock { state in
            state.armedFor = .max
            defer { rearm(&state, now: now) }
            return state.wheel.advance(to: now)
        }
        for entry in fired { entry.payload.fire() }
    }

    /// Arms the source for the wheel's next wake-up unless it is already armed for that time or earlier.
    private func rearm(_ state: inout State, now: Int64) {
        guard let next = state.wheel.nextWakeup(), next < state.armedFor else { return }
        state.armedFor = next
        source.schedule(deadline: .now() + .milliseconds(Int(max(0, next - now))), leeway: .milliseconds(1))
    }
}
