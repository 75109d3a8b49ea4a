import Testing
import QuickstepTestSupport
@testable import QuickstepEngine

/// The timing wheel against the obvious model (a sorted list): every timer fires at the first advance that reaches
/// its due time, never earlier and never twice, and the wheel's next wake-up is never later than the earliest timer.
@Suite struct TimingWheelTests {
    @Test func firesAtTheDueTickAcrossEveryLevel() {
        var wheel = TimingWheel<Int>(now: 1_000)
        // 1 ms, 63 ms, 64 ms (level 1), 5 s (level 2), 5 min (level 3), 6 h (level 4), 40 days (beyond the top).
        let delays: [Int64] = [1, 63, 64, 5_000, 300_000, 21_600_000, 3_456_000_000]
        for (index, delay) in delays.enumerated() { #expect(wheel.add(.init(due: 1_000 + delay, payload: index)) == nil) }
        for (index, delay) in delays.enumerated() {
            #expect(wheel.advance(to: 1_000 + delay - 1).isEmpty, "timer \(index) must not fire early")
            #expect(wheel.nextWakeup()! <= 1_000 + delay)
            #expect(wheel.advance(to: 1_000 + delay).map(\.payload) == [index])
        }
        #expect(wheel.isEmpty)
        #expect(wheel.nextWakeup() == nil)
    }

    @Test func aTimerAlreadyDueIsHandedBack() {
        var wheel = TimingWheel<String>(now: 50)
        #expect(wheel.add(.init(due: 50, payload: "now"))?.payload == "now")
        #expect(wheel.add(.init(due: 10, payload: "past"))?.payload == "past")
        #expect(wheel.isEmpty)
    }

    @Test func matchesASortedListUnderRandomAddsAndAdvances() {
        var random = SplitMix64(seed: 0x5EED)
        var wheel = TimingWheel<Int>(now: 0)
        var pending: [(due: Int64, id: Int)] = []
        var nextId = 0
        var time: Int64 = 0
        for _ in 0..<5_000 {
            for _ in 0..<Int(random.next() % 4) {
                // Mostly short timers, some minutes and hours away.
                let scale: [UInt64] = [100, 5_000, 400_000, 20_000_000]
                let delay = Int64(random.next() % scale[Int(random.next() % 4)])
                let entry = TimingWheel<Int>.Entry(due: time + delay, payload: nextId)
                if let due = wheel.add(entry) {
                    #expect(due.due <= time)
                } else {
                    pending.append((entry.due, nextId))
                }
                nextId += 1
            }
            if let wakeup = wheel.nextWakeup() {
                #expect(wakeup > time)
                #expect(wakeup <= pending.map(\.due).min()!)
            }
            // Jump by small or large steps, sometimes straight to the next wake-up.
            let step = random.next() % 3 == 0 ? (wheel.nextWakeup() ?? time + 1) - time : Int64(random.next() % 3_000)
            time += max(1, step)
            let fired = wheel.advance(to: time).map(\.payload)
            let expected = pending.filter { $0.due <= time }.map(\.id)
            pending.removeAll { $0.due <= time }
            #expect(fired.sorted() == expected.sorted())
        }
        let rest = wheel.advance(to: time + 30_000_000).map(\.payload)
        #expect(rest.sorted() == pending.map(\.id).sorted())
        #expect(wheel.isEmpty)
    }
}
