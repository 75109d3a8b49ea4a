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
