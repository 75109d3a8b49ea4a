/// A hierarchical timing wheel (Varghese and Lauck, "Hashed and hierarchical timing wheels", SOSP 1987) with
/// millisecond ticks: five levels of 64 slots, each level's slot 64 times as wide as the one below
/// (64 ms, 4.1 s, 4.4 min, 4.7 h, 12.4 days; later timers sit in the top level and go round again).
///
/// Adding a timer is O(1): the level comes from the distance to its due time, the slot from the due time's bits.
/// When the wheel's time enters a slot of a higher level, that slot's timers move down a level ("cascade"), so
/// each timer moves at most four times. A 64-bit occupancy map per level finds the next non-empty slot without
/// scanning, which tells the owner when to wake next, however far away that is.
///
/// Not thread-safe: ``TimerService`` locks it.
struct TimingWheel<Payload> {
    struct Entry {
        var due: Int64
        var payload: Payload
    }

    private static var levels: Int { 5 }
    private static var slotBits: Int64 { 6 }
    private static var slotMask: Int64 { 63 }

    /// The last tick processed (milliseconds since the epoch).
    private(set) var now: Int64
    private var slots: [[Entry]]
    private var occupied: [UInt64]
    private(set) var count = 0

    init(now: Int64) {
        self.now = now
        slots = Array(repeating: [], count: Self.levels * 64)
        occupied = Array(repeating: 0, count: Self.levels)
    }

    var isEmpty: Bool { count == 0 }

    /// Adds a timer due after ``now``; returns it back when it is already due (the caller fires it at once).
    mutating func add(_ entry: Entry) -> Entry? {
        guard entry.due > now else { return entry }
        place(entry)
        count += 1
        return nil
    }

    private mutating func place(_ entry: Entry) {
        let delta = UInt64(entry.due - now)
        // Level l holds distances below 64^(l+1): the level is the index of delta's top 6-bit digit.
        let level = min(Self.levels - 1, (63 - delta.leadingZeroBitCount) / Int(Self.slotBits))
        let slot = Int((entry.due >> (Int64(level) * Self.slotBits)) & Self.slotMask)
        slots[level * 64 + slot].append(entry)
        occupied[level] |= 1 << UInt64(slot)
    }

    /// Moves time on to `time` and returns the timers due by then, in due order within each tick.
    mutating func advance(to time: Int64) -> [Entry] {
        var fired: [Entry] = []
        guard time > now else { return fired }
        if count == 0 {
            now = time
            return fired
        }
        while now < time {
            // Nothing at level 0: jump to just before the next cascade that has work (none is skipped).
            if occupied[0] == 0, let next = nextWakeup(), next - 1 > now {
                now = min(time, next - 1)
                guard now < time else { break }
            }
            // Fire level-0 slots up to the end of this 64-tick block (or `time`), then cross into the next block.
            let blockEnd = now | Self.slotMask
            let target = min(time, blockEnd)
            if occupied[0] != 0 {
                var tick = now + 1
                while tick <= target {
                    let slot = Int(tick & Self.slotMask)
                    if occupied[0] & (1 << UInt64(slot)) != 0 { take(level: 0, slot: slot, into: &fired) }
                    tick += 1
                }
            }
            now = target
            guard now < time else { break }
            now += 1  // the first tick of a new block
            cascade()
            let slot = Int(now & Self.slotMask)
            if occupied[0] & (1 << UInt64(slot)) != 0 { take(level: 0, slot: slot, into: &fired) }
            if count == 0 {
                now = time
                break
            }
        }
        return fired
    }

    private mutating func take(level: Int, slot: Int, into fired: inout [Entry]) {
        let entries = slots[level * 64 + slot]
        slots[level * 64 + slot].removeAll(keepingCapacity: true)
        occupied[level] &= ~(1 << UInt64(slot))
        count -= entries.count
        fired.append(contentsOf: entries)
    }

    /// `now` just entered a new level-0 block: move the timers of each higher level's slot that starts here down.
    private mutating func cascade() {
        for level in 1..<Self.levels {
            let shift = Int64(level) * Self.slotBits
            let slot = Int((now >> shift) & Self.slotMask)
            if occupied[level] & (1 << UInt64(slot)) != 0 {
                let entries = slots[level * 64 + slot]
                slots[level * 64 + slot].removeAll(keepingCapacity: true)
                occupied[level] &= ~(1 << UInt64(slot))
                for entry in entries {
                    // Due exactly now (a level-0 distance of 0) cannot be placed: it goes to level 0's current slot,
                    // which the caller takes right after the cascade.
                    if entry.due <= now {
                        slots[Int(now & Self.slotMask)].append(entry)
                        occupied[0] |= 1 << UInt64(now & Self.slotMask)
                    } else {
                        place(entry)
                    }
                }
            }
            // A higher level moves on only when this level's index wrapped to 0.
            if slot != 0 { break }
        }
    }

    /// The next tick at which ``advance(to:)`` has work: a level-0 timer, or a cascade that brings some closer.
    /// `nil` when the wheel is empty.
    func nextWakeup() -> Int64? {
        guard count > 0 else { return nil }
        var earliest = Int64.max
        for level in 0..<Self.levels where occupied[level] != 0 {
            let shift = Int64(level) * Self.slotBits
            let index = (now >> shift) & Self.slotMask
            // Distance (1...64) to the next occupied slot after the current index, going round.
            let rotated = occupied[level].rotatedRight(by: Int(index + 1))
            let distance = Int64(rotated.trailingZeroBitCount) + 1
            let tick = level == 0 ? now + distance : ((now >> shift) + distance) << shift
            earliest = min(earliest, tick)
        }
        return earliest
    }
}

extension UInt64 {
    fileprivate func rotatedRight(by amount: Int) -> UInt64 {
        let amount = UInt64(amount & 63)
        return amount == 0 ? self : (self >> amount) | (self << (64 - amount))
    }
}
