extension UnsafeMutableBufferPointer {
    /// Memory of its own holding a copy of `elements`: the tables the VM reads in place (``Program/stateFacts`` says
    /// why). The owner frees it with ``freeOwned()``.
    static func owned(copying elements: [Element]) -> Self {
        let buffer = allocate(capacity: elements.count)
        _ = buffer.initialize(from: elements)
        return buffer
    }

    /// Deinitializes and frees memory made by ``owned(copying:)``.
    func freeOwned() {
        deinitialize()
        deallocate()
    }
}

extension UnsafeMutablePointer {
    /// A pointer to a new copy of `value`, which ``freeOwned()`` frees.
    static func owned(_ value: Pointee) -> Self {
        let pointer = allocate(capacity: 1)
        pointer.initialize(to: value)
        return pointer
    }

    /// Deinitializes and frees memory made by ``owned(_:)``.
    func freeOwned() {
        deinitialize(count: 1)
        deallocate()
    }
}
