import Glibc

/// A growable byte buffer with a read cursor, owned by one connection on its loop thread.
final class InputBuffer {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var readerIndex = 0
    private(set) var writerIndex = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Number of unread bytes.
    var readableBytes: Int { writerIndex - readerIndex }

    /// The unread bytes; valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + readerIndex, count: writerIndex - readerIndex)
    }

    /// Marks `count` unread bytes as consumed; resets to the start when empty.
    func consume(_ count: Int) {
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Copies `count` unread bytes out and consumes them.
    func take(_ count: Int) -> [UInt8] {
        let bytes = [UInt8](UnsafeRawBufferPointer(start: storage + readerIndex, count: count))
        consume(count)
        return bytes
    }

    /// Ensures at least `minimum` bytes of free space after the written bytes, compacting first.
    func reserveWritable(_ minimum: Int) {
        if capacity - writerIndex >= minimum { return }
        if readerIndex > 0 {
            let count = readableBytes
            memmove(storage, storage + readerIndex, count)
            readerIndex = 0
            writerIndex = count
            if capacity - writerIndex >= minimum { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - writerIndex < minimum { newCapacity *= 2 }
        let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newStorage.copyMemory(from: storage, byteCount: writerIndex)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// Free space after the written bytes.
    var writableBytes: Int { capacity - writerIndex }

    /// Pointer to the free space, for recv.
    var writePointer: UnsafeMutableRawPointer { storage + writerIndex }

    func didWrite(_ count: Int) { writerIndex += count }

    /// Shrinks an empty buffer back to `capacity` so idle connections stay small.
    func shrinkIfEmpty(to small: Int) {
        guard readableBytes == 0, capacity > small * 4 else { return }
        storage.deallocate()
        storage = UnsafeMutableRawPointer.allocate(byteCount: small, alignment: 16)
        capacity = small
        readerIndex = 0
        writerIndex = 0
    }
}
