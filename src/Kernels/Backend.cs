using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The one contract every backend implements: memory (this file), then one method per kernel on
/// raw buffers and shapes, each op family's in its own folder (Elementwise/Backend.Elementwise.cs,
/// Conv/Backend.Conv.cs, …). Arguments are validated here, before any kernel runs, so a bad shape is
/// an error naming the op and the sizes rather than a fault deep in a kernel. Implementations
/// override the protected <c>Run*</c> methods and may assume valid arguments.
/// Kernels run in stream order; results are visible to Download/Synchronize.
/// Determinism: no kernel used in training may depend on thread timing (fixed partitioning, no
/// float atomics), so the same inputs give bit-identical outputs run after run.
/// </summary>
public abstract partial class Backend : IDisposable
{
    protected Backend() => Pool = new BufferPool(AllocateStorage);

    /// <summary>"cpu", "cuda" or "ilgpu-cpu": the value of --device that selects it.</summary>
    public abstract string Name { get; }

    /// <summary>Human-readable device description for `sparsecore info` and reports.</summary>
    public abstract string DeviceDescription { get; }

    public BufferPool Pool { get; }

    // ---- memory ---------------------------------------------------------------------------

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), $"cannot allocate a buffer of {length} elements");
        return new DeviceBuffer<T>(this, Pool.Rent(typeof(T), length), length);
    }

    /// <summary>Creates raw storage of at least <paramref name="capacity"/> elements of <paramref name="elementType"/>.</summary>
    protected abstract DeviceStorage AllocateStorage(Type elementType, int capacity);

    /// <summary>
    /// Host↔device transfers (non-empty uploads and downloads) so far. On the ILGPU backend a download
    /// waits for the stream and an upload is queued behind it (see <see cref="HostWaits"/>).
    /// </summary>
    public long HostTransfers { get; private set; }

    /// <summary>
    /// Times the host waited for the device (a synchronisation, a download, a full upload staging
    /// ring): what a training step must keep to one on a GPU. Always 0 on a synchronous backend.
    /// </summary>
    public long HostWaits { get; private set; }

    /// <summary>Called by an asynchronous backend each time the host blocks on its stream.</summary>
    protected void CountHostWait() => HostWaits++;

    public void Upload<T>(ReadOnlySpan<T> source, DeviceBuffer<T> destination, int destinationOffset = 0) where T : unmanaged
    {
        CheckOwned(destination, "Upload");
        CheckRange("Upload", "destination", destination.Length, destinationOffset, source.Length);
        using var profile = Profile(OpFamily.Transfer, 0, (double)source.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        if (!source.IsEmpty) HostTransfers++;
        RunUpload(source, destination, destinationOffset);
    }

    public void Download<T>(DeviceBuffer<T> source, Span<T> destination, int sourceOffset = 0) where T : unmanaged
    {
        CheckOwned(source, "Download");
        CheckRange("Download", "source", source.Length, sourceOffset, destination.Length);
        using var profile = Profile(OpFamily.Transfer, 0, (double)destination.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        if (!destination.IsEmpty) HostTransfers++;
        RunDownload(source, destination, sourceOffset);
    }

    public T[] ToArray<T>(DeviceBuffer<T> source) where T : unmanaged
    {
        var result = new T[source.Length];
        Download(source, result);
        return result;
    }

    public void Copy(DeviceBuffer<float> source, int sourceOffset, DeviceBuffer<float> destination, int destinationOffset, int count)
    {
        CheckOwned(source, "Copy"); CheckOwned(destination, "Copy");
        CheckRange("Copy", "source", source.Length, sourceOffset, count);
        CheckRange("Copy", "destination", destination.Length, destinationOffset, count);
        using var profile = Profile(OpFamily.Transfer, 0, 8.0 * count);
        if (count > 0) RunCopy(source, sourceOffset, destination, destinationOffset, count);
    }

    /// <summary>Waits until every queued kernel has finished.</summary>
    public abstract void Synchronize();

    protected abstract void RunUpload<T>(ReadOnlySpan<T> source, DeviceBuffer<T> destination, int destinationOffset) where T : unmanaged;
    protected abstract void RunDownload<T>(DeviceBuffer<T> source, Span<T> destination, int sourceOffset) where T : unmanaged;
    protected abstract void RunCopy(DeviceBuffer<float> source, int sourceOffset, DeviceBuffer<float> destination, int destinationOffset, int count);

    public virtual void Dispose()
    {
        Pool.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- validation helpers ---------------------------------------------------------------

    protected void CheckOwned<T>(DeviceBuffer<T> buffer, string op) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!ReferenceEquals(buffer.Backend, this))
            throw new ArgumentException($"{op}: buffer belongs to another backend instance ('{buffer.Backend.Name}'), not to this '{Name}' backend");
        _ = buffer.Storage; // throws ObjectDisposedException with the buffer's shape
    }

    /// <summary>Element counts may be 0 (a no-op) but never negative: that is a caller's bug, not an empty call.</summary>
    private static void CheckCount(string op, int n)
    {
        if (n < 0) throw new ArgumentException($"{op}: element count must be ≥ 0, got {n}");
    }

    protected static void CheckRange(string op, string operand, long length, long offset, long count)
    {
        if (offset < 0 || count < 0 || offset + count > length)
            throw new ArgumentException($"{op}: {operand} range [{offset}, {offset + count}) is outside its {length} elements");
    }

    protected void CheckLength<T>(string op, string operand, DeviceBuffer<T> buffer, long required) where T : unmanaged
    {
        CheckOwned(buffer, op);
        if (buffer.Length < required)
            throw new ArgumentException($"{op}: {operand} has {buffer.Length} elements, needs {required}");
    }
}
