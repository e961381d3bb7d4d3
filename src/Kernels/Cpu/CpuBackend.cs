using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Managed SIMD backend: the default without a GPU (unsealed so tests can plant a faulty kernel). Kernels run synchronously on the calling
/// thread (plus the fixed-partition workers they start), so Synchronize has nothing to wait for.
/// The kernel bodies live in the op-family folders (Elementwise/CpuBackend.Elementwise.cs, …).
/// </summary>
public partial class CpuBackend : Backend
{
    public override string Name => "cpu";

    public override string DeviceDescription =>
        $"managed SIMD on {Environment.ProcessorCount} cores ({SimdDescription})";

    private static string SimdDescription =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512"
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit SIMD";

    protected override DeviceStorage AllocateStorage(Type elementType, int capacity)
    {
        if (elementType == typeof(float)) return new CpuStorage<float>(capacity);
        if (elementType == typeof(int)) return new CpuStorage<int>(capacity);
        if (elementType == typeof(double)) return new CpuStorage<double>(capacity);
        if (elementType == typeof(byte)) return new CpuStorage<byte>(capacity);
        throw new NotSupportedException($"CpuBackend: no storage for element type {elementType.Name}");
    }

    public override void Synchronize() { }

    internal static T[] ArrayOf<T>(DeviceBuffer<T> buffer) where T : unmanaged => ((CpuStorage<T>)buffer.Storage).Array;

    internal static Span<T> Span<T>(DeviceBuffer<T> buffer) where T : unmanaged => ArrayOf(buffer).AsSpan(0, buffer.Length);

    protected override void RunUpload<T>(ReadOnlySpan<T> source, DeviceBuffer<T> destination, int destinationOffset)
        => source.CopyTo(Span(destination)[destinationOffset..]);

    protected override void RunDownload<T>(DeviceBuffer<T> source, Span<T> destination, int sourceOffset)
        => Span(source).Slice(sourceOffset, destination.Length).CopyTo(destination);

    protected override void RunCopy(DeviceBuffer<float> source, int sourceOffset, DeviceBuffer<float> destination, int destinationOffset, int count)
        => Span(source).Slice(sourceOffset, count).CopyTo(Span(destination).Slice(destinationOffset, count));
}
