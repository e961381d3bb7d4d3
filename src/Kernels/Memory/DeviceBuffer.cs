namespace SparseCore.Kernels.Memory;

/// <summary>
/// A typed device allocation handed out by a <see cref="Backend"/>. Disposing returns its storage to
/// the backend's caching allocator, so a training step reuses the same memory instead of paying
/// cuMemAlloc/cuMemFree (which synchronise) every step.
/// </summary>
public sealed class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private DeviceStorage? storage;

    internal DeviceBuffer(Backend backend, DeviceStorage storage, int length)
    {
        Backend = backend;
        this.storage = storage;
        Length = length;
    }

    public Backend Backend { get; }

    /// <summary>Number of elements the caller asked for (the storage may be larger).</summary>
    public int Length { get; }

    public bool IsDisposed => storage is null;

    internal DeviceStorage Storage =>
        storage ?? throw new ObjectDisposedException(nameof(DeviceBuffer<T>), $"a {typeof(T).Name}[{Length}] device buffer was used after Dispose");

    public void Dispose()
    {
        var s = storage;
        if (s is null) return;
        storage = null;
        Backend.Pool.Return(s);
    }

    public override string ToString() => $"DeviceBuffer<{typeof(T).Name}>[{Length}] on {Backend.Name}";
}
