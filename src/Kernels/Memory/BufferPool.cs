namespace SparseCore.Kernels.Memory;

/// <summary>
/// Caching allocator: size-class free lists per element type. Size classes step by quarters of a
/// power of two, so a reused buffer wastes at most 25% and a training loop whose shapes repeat
/// reaches a steady state after its first step (live and pooled bytes stay flat). Thread-safe: a
/// backend may be used from several threads (test classes in parallel, a program's own workers),
/// and unsynchronised updates of the free lists corrupt them. The lock is uncontended in a
/// training step (one thread allocates), a few tens of nanoseconds per tensor.
/// </summary>
public sealed class BufferPool : IDisposable
{
    private readonly Func<Type, int, DeviceStorage> allocateRaw;
    private readonly Dictionary<(Type, int), Stack<DeviceStorage>> free = new();
    private readonly Lock gate = new();

    internal BufferPool(Func<Type, int, DeviceStorage> allocateRaw) => this.allocateRaw = allocateRaw;

    /// <summary>Buffers handed out and not yet disposed.</summary>
    public int LiveBuffers { get; private set; }
    public long LiveBytes { get; private set; }
    public long PooledBytes { get; private set; }
    /// <summary>The most bytes live at once since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakLiveBytes { get; private set; }
    /// <summary>Raw allocations made since creation; flat from step to step once warm.</summary>
    public long RawAllocations { get; private set; }

    internal DeviceStorage Rent(Type elementType, int length)
    {
        int capacity = SizeClass(length);
        DeviceStorage storage;
        using var _ = gate.EnterScope();
        if (free.TryGetValue((elementType, capacity), out var stack) && stack.Count > 0)
        {
            storage = stack.Pop();
            PooledBytes -= storage.Bytes;
        }
        else
        {
            storage = allocateRaw(elementType, capacity);
            RawAllocations++;
        }
        LiveBuffers++;
        LiveBytes += storage.Bytes;
        PeakLiveBytes = Math.Max(PeakLiveBytes, LiveBytes);
        return storage;
    }

    internal void Return(DeviceStorage storage)
    {
        using var _ = gate.EnterScope();
        LiveBuffers--;
        LiveBytes -= storage.Bytes;
        var key = (storage.ElementType, storage.Capacity);
        if (!free.TryGetValue(key, out var stack)) free[key] = stack = new Stack<DeviceStorage>();
        stack.Push(storage);
        PooledBytes += storage.Bytes;
    }

    public void ResetPeak()
    {
        using var _ = gate.EnterScope();
        PeakLiveBytes = LiveBytes;
    }

    /// <summary>Releases every cached (not live) allocation back to the device.</summary>
    public void Trim()
    {
        using var _ = gate.EnterScope();
        foreach (var stack in free.Values)
            while (stack.Count > 0) stack.Pop().Dispose();
        PooledBytes = 0;
    }

    public void Dispose() => Trim();

    internal static int SizeClass(int length)
    {
        if (length <= 64) return length <= 16 ? 16 : 64;
        // p < length <= 2p; the classes between are p + p/4, p + p/2, p + 3p/4, 2p.
        int p = 1 << (31 - (int)uint.LeadingZeroCount((uint)(length - 1)));
        int step = p / 4;
        long rounded = ((long)length + step - 1) / step * step;
        return (int)Math.Min(rounded, int.MaxValue);
    }
}
