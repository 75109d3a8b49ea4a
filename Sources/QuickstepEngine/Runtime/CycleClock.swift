import Atomics
import CQuickstepClock
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock in nanoseconds since the epoch, read from the CPU's cycle counter where the system's own clock
/// is that counter: every engine execution reads the time twice (its start and its stop), and `clock_gettime`
/// took 21 ns a reading on the project's machine against 9 ns for the counter itself (17 % of pass_chain_10's time
/// with two workers went to the two readings).
///
/// The counter is turned into wall-clock time through an anchor, a pair of readings of the counter and of the
/// system clock taken together, and a rate, nanoseconds per tick, measured between the first anchor and the
/// latest: `time = anchor's nanoseconds + (ticks - anchor's ticks) * rate`. Each engine re-anchors every quarter
/// of a second (``recalibrate()``, from its deadline sweep), so the clock follows the system clock's adjustments
/// (NTP) to within what drifts in a quarter of a second, typically well under a microsecond. Two readings taken
/// on either side of a re-anchoring may therefore disagree by that much; a stop time is never put before its start
/// (see ``Engine``).
///
/// The system clock is read instead (``RunScheduler/wallClockNanoseconds()``) until two anchors a tenth of a
/// second apart have given a rate, when the anchor is more than a second old (no engine has re-anchored it: a
/// rate error would have grown), on CPUs without a counter, and where Linux does not use the counter as its clock
/// source (it checks that the counter is invariant and in step across cores before it does).
///
/// Readers take the anchor without a lock, as a sequence lock's readers do: a version, odd while a writer is
/// changing the anchor, read before and after the fields. Writers, a few times a second, take a lock.
///
/// One clock serves the process (``shared``); each engine keeps a reference to it, so that a reading loads its
/// fields from the object (a `static` property is reached through a lazy-initialisation check, a call, on every
/// access).
final class CycleClock: Sendable {
    /// The process's clock.
    static let shared = CycleClock()

    /// Whether the counter can stand in for the system clock here.
    let isAvailable: Bool = {
        guard quickstep_has_cycle_counter() != 0 else { return false }
        #if os(Linux)
        guard let file = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r") else { return false }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 32)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return false }
        let source = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return source.hasPrefix("tsc")
        #else
        return false
        #endif
    }()

    /// The anchor and the rate, as atomics a reader loads between two loads of ``version``.
    private let words = AtomicSlots(count: AtomicSlots.wordsPerCacheLines)
    /// Even when the anchor is whole, odd while it is written; 0 before the first rate.
    private var version: UnsafeAtomic<Int> { words[0] }
    private var anchorTicks: UnsafeAtomic<Int> { words[1] }
    private var anchorNanoseconds: UnsafeAtomic<Int> { words[2] }
    /// Nanoseconds per tick, times 2³².
    private var rate: UnsafeAtomic<Int> { words[3] }
    /// How many ticks an anchor is trusted for (about a second), set with the first rate.
    private var trustedTicks: UnsafeAtomic<Int> { words[4] }

    /// The first anchor, which every rate is measured from; kept by the writers, under ``writer``.
    private struct Baseline {
        var ticks: Int
        var nanoseconds: Int64
    }
    private let writer = Locked<Baseline?>(nil)

    private init() {}

    deinit {
        words.deallocate()
    }

    /// Nanoseconds since the epoch.
    @inline(__always)
    func nanoseconds() -> Int64 {
        guard isAvailable else { return RunScheduler.wallClockNanoseconds() }
        while true {
            let before = version.load(ordering: .acquiring)
            if before == 0 { return RunScheduler.wallClockNanoseconds() }
            if before & 1 != 0 { continue }
            let ticks = anchorTicks.load(ordering: .relaxed)
            let nanoseconds = anchorNanoseconds.load(ordering: .relaxed)
            let rate = rate.load(ordering: .relaxed)
            let trusted = trustedTicks.load(ordering: .relaxed)
            atomicMemoryFence(ordering: .acquiring)
            guard version.load(ordering: .relaxed) == before else { continue }
            let elapsed = Int(truncatingIfNeeded: quickstep_cycle_counter()) &- ticks
            guard elapsed >= 0, elapsed < trusted else { return RunScheduler.wallClockNanoseconds() }
            return Int64(nanoseconds) &+ Self.scaled(elapsed, by: rate)
        }
    }

    /// `ticks` times `rate` (a 32.32 fixed-point number), in full width so that no product overflows.
    @inline(__always)
    static func scaled(_ ticks: Int, by rate: Int) -> Int64 {
        let product = UInt64(ticks).multipliedFullWidth(by: UInt64(rate))
        return Int64(truncatingIfNeeded: (product.high << 32) | (product.low >> 32))
    }

    /// Takes a new anchor, and a rate once the first anchor is a tenth of a second old. Called by every engine's
    /// deadline sweep, a few times a second.
    func recalibrate() {
        guard isAvailable else { return }
        writer.withLock { baseline in
            let (ticks, nanoseconds) = anchorReadings()
            guard let first = baseline else {
                baseline = Baseline(ticks: ticks, nanoseconds: nanoseconds)
                return
            }
            let elapsedTicks = ticks - first.ticks
            let elapsedNanoseconds = nanoseconds - first.nanoseconds
            guard elapsedTicks > 0, elapsedNanoseconds >= 100_000_000 else { return }
            let perTick = Double(elapsedNanoseconds) / Double(elapsedTicks)
            let current = version.load(ordering: .relaxed)
            version.store(current | 1, ordering: .relaxed)
            atomicMemoryFence(ordering: .releasing)
            anchorTicks.store(ticks, ordering: .relaxed)
            anchorNanoseconds.store(Int(nanoseconds), ordering: .relaxed)
            rate.store(Int(perTick * 4_294_967_296), ordering: .relaxed)
            trustedTicks.store(Int(1_000_000_000 / perTick), ordering: .relaxed)
            version.store((current | 1) + 1, ordering: .releasing)
        }
    }

    /// A reading of the counter and one of the system clock taken together: of three tries, the one whose two
    /// counter readings around the system clock's are closest.
    private func anchorReadings() -> (ticks: Int, nanoseconds: Int64) {
        var best: (ticks: Int, nanoseconds: Int64, width: Int)?
        for _ in 0..<3 {
            let before = Int(truncatingIfNeeded: quickstep_cycle_counter())
            let nanoseconds = RunScheduler.wallClockNanoseconds()
            let after = Int(truncatingIfNeeded: quickstep_cycle_counter())
            let width = after - before
            if best.map({ width < $0.width }) ?? true { best = (before + width / 2, nanoseconds, width) }
        }
        return (best!.ticks, best!.nanoseconds)
    }
}
