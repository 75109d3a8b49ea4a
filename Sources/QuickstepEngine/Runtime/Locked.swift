#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex` because ThreadSanitizer understands pthread mutexes: on Linux `Mutex`
/// locks with raw futex calls that TSan cannot see, so every access it guards was reported as a race
/// (`swift test --sanitize=thread`, 54 false reports in the engine tests).
///
/// The mutex and the value live together in one block of their own cache lines (``CacheLines``), so that locks
/// that different workers take (the registry's stripes, the per-worker machine tables) never share a line: their
/// mutexes were 40-byte allocations side by side, and two workers each taking their own lock still bounced one
/// line between them.
final class Locked<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let state: UnsafeMutablePointer<State>

    init(_ state: State) {
        let stateOffset = CacheLines.roundUp(MemoryLayout<pthread_mutex_t>.stride, to: MemoryLayout<State>.alignment)
        let block = CacheLines.allocate(byteCount: stateOffset + MemoryLayout<State>.stride)
        mutex = block.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        pthread_mutex_init(mutex, nil)
        self.state = (block + stateOffset).bindMemory(to: State.self, capacity: 1)
        self.state.initialize(to: state)
    }

    deinit {
        state.deinitialize(count: 1)
        pthread_mutex_destroy(mutex)
        UnsafeMutableRawPointer(mutex).deallocate()
    }

    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state.pointee)
    }
}

/// Memory that shares no cache line with anything else: 128-byte aligned and a multiple of 128 bytes long (two
/// 64-byte lines, as adjacent-line prefetching pairs them).
enum CacheLines {
    static let size = 128

    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: roundUp(max(byteCount, 1), to: size), alignment: size)
    }

    static func roundUp(_ value: Int, to multiple: Int) -> Int {
        (value + multiple - 1) / multiple * multiple
    }
}

/// A pthread mutex guarding state kept elsewhere (`Locked<Void>` would place its zero-sized state at the mutex
/// pointer's address, which ThreadSanitizer then reports as a race between the two).
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
