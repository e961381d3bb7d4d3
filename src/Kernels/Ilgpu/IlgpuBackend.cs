using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// The research backend: every kernel an ILGPU kernel, run on CUDA. The same kernels
/// run on ILGPU's CPU accelerator (<see cref="CreateCpuSimulator"/>) for tests at small shapes,
/// where every view access is bounds-checked. All kernels are compiled once, in the constructor,
/// from <see cref="IlgpuKernelRegistry"/>; Run* methods only launch on the backend's one stream.
/// The kernel launchers and Run* bodies live beside the CPU ones in the op-family folders.
/// </summary>
public sealed partial class IlgpuBackend : Backend
{
    /// <summary>Largest group the row-wise and tiled kernels use (their static shared arrays are this long).</summary>
    internal const int MaxGroupSize = 256;

    private readonly Context context;
    private readonly Accelerator accelerator;
    private readonly AcceleratorStream stream;
    private readonly IlgpuUploadStaging staging;
    private readonly bool isCuda;
    private int kernelsLoaded;
    private bool disposed;

    private IlgpuBackend(Context context, Accelerator accelerator, bool isCuda)
    {
        this.context = context;
        this.accelerator = accelerator;
        this.isCuda = isCuda;
        try
        {
            stream = accelerator.CreateStream();
            staging = new IlgpuUploadStaging(accelerator, stream, CountHostWait);
            if (accelerator.MaxNumThreadsPerGroup < IlgpuGemmKernels.Threads)
                throw new NotSupportedException(
                    $"ILGPU device '{accelerator.Name}' allows {accelerator.MaxNumThreadsPerGroup} threads per group; the tiled GEMM needs {IlgpuGemmKernels.Threads}");
            RowGroupMax = FloorPow2(Math.Min(MaxGroupSize, accelerator.MaxNumThreadsPerGroup));
            RowGroupMin = Math.Min(RowGroupMax, FloorPow2(Math.Max(1, accelerator.WarpSize)));
            LoadElementwise();
            LoadRandom();
            LoadReduce();
            LoadSoftmax();
            LoadOptim();
            LoadGemm();
            LoadMasked();
            LoadScoreMask();
            LoadThresholdMask();
            LoadTopMask();
            LoadChannelPenalty();
            LoadLstm();
            LoadLayout();
            LoadPool();
            LoadNorm();
            LoadConv();
            LoadSparse();
            if (kernelsLoaded != IlgpuKernelRegistry.Count)
                throw new InvalidOperationException($"IlgpuBackend loaded {kernelsLoaded} kernels, the registry lists {IlgpuKernelRegistry.Count}");
        }
        catch
        {
            staging?.Dispose();
            stream?.Dispose();
            accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The context settings every kernel is compiled with (the PTX test uses the same). Profiling
    /// only allows stream markers (<see cref="DeviceTime"/>); on CUDA no event exists until one is asked for.
    /// </summary>
    internal static Context.Builder Configure(Context.Builder builder) =>
        builder.EnableAlgorithms().Optimize(OptimizationLevel.O1).Profiling();

    /// <summary>The CUDA device at <paramref name="deviceIndex"/>; throws a clear error when there is none.</summary>
    public static IlgpuBackend CreateCuda(int deviceIndex = 0)
    {
        var context = Context.Create(b => Configure(b.Cuda()));
        try
        {
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
                throw new InvalidOperationException("no CUDA device found (is an NVIDIA driver with libcuda installed?)");
            if (deviceIndex < 0 || deviceIndex >= devices.Count)
                throw new ArgumentOutOfRangeException(nameof(deviceIndex), $"CUDA device {deviceIndex} requested, {devices.Count} found");
            var accelerator = devices[deviceIndex].CreateAccelerator(context);
            return new IlgpuBackend(context, accelerator, isCuda: true);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator (each simulated thread an OS thread), for tests only: warp 32 ×
    /// 8 warps = 256-thread groups so the tiled GEMM runs, one multiprocessor.
    /// </summary>
    public static IlgpuBackend CreateCpuSimulator()
    {
        var device = new CPUDevice(32, 8, 1);
        var context = Context.Create(b => Configure(b.CPU(device)));
        try
        {
            var accelerator = context.GetCPUDevices()[0].CreateAccelerator(context);
            return new IlgpuBackend(context, accelerator, isCuda: false);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>One line per CUDA device (name, SMs, memory); empty when there is none. Never throws.</summary>
    public static IReadOnlyList<string> DescribeCudaDevices()
    {
        try
        {
            using var context = Context.Create(b => b.Cuda());
            var lines = new List<string>();
            foreach (var d in context.GetCudaDevices())
                lines.Add($"{d.Name}: {d.NumMultiprocessors} SMs, {d.MemorySize / (1024.0 * 1024 * 1024):F1} GiB, {d.Architecture?.ToString() ?? "unknown arch"}");
            return lines;
        }
        catch (Exception)
        {
            return [];
        }
    }

    public override string Name => isCuda ? "cuda" : "ilgpu-cpu";

    public override string DeviceDescription =>
        $"{accelerator.Name} (ILGPU {accelerator.AcceleratorType}, {accelerator.NumMultiprocessors} MPs, " +
        $"warp {accelerator.WarpSize}, ≤{accelerator.MaxNumThreadsPerGroup} threads/group, {accelerator.MemorySize / (1024.0 * 1024 * 1024):F1} GiB)";

    /// <summary>Group-size bounds for row-wise kernels: powers of two, from the accelerator.</summary>
    internal int RowGroupMax { get; }
    internal int RowGroupMin { get; }

    /// <summary>Smallest power-of-two group in [RowGroupMin, RowGroupMax] covering <paramref name="length"/> elements.</summary>
    internal int RowGroupSize(int length)
    {
        int g = RowGroupMin;
        while (g < length && g < RowGroupMax) g <<= 1;
        return g;
    }

    private static int FloorPow2(int v) => 1 << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v));

    // ---- kernel loading -------------------------------------------------------------------

    private TDelegate LoadImplicit<TDelegate>(IlgpuKernelEntry entry) where TDelegate : Delegate
    {
        if (entry.Style != IlgpuKernelStyle.ImplicitlyGrouped) throw new InvalidOperationException($"{entry} is not implicitly grouped");
        kernelsLoaded++;
        return Loaded(entry, accelerator.LoadAutoGroupedKernel<TDelegate>(entry.Method));
    }

    private TDelegate LoadExplicit<TDelegate>(IlgpuKernelEntry entry) where TDelegate : Delegate
    {
        if (entry.Style != IlgpuKernelStyle.ExplicitlyGrouped) throw new InvalidOperationException($"{entry} is not explicitly grouped");
        kernelsLoaded++;
        return Loaded(entry, accelerator.LoadKernel<TDelegate>(entry.Method, entry.Specialization, out _));
    }

    /// <summary>Thread count for a flat launch in which each thread handles up to ElementsPerThread items.</summary>
    private static Index1D FlatThreads(int n) => new(IlgpuElementwiseKernels.Threads(n));

    // ---- memory ---------------------------------------------------------------------------

    protected override DeviceStorage AllocateStorage(Type elementType, int capacity)
    {
        if (elementType == typeof(float)) return new IlgpuStorage<float>(accelerator, capacity);
        if (elementType == typeof(int)) return new IlgpuStorage<int>(accelerator, capacity);
        if (elementType == typeof(double)) return new IlgpuStorage<double>(accelerator, capacity);
        if (elementType == typeof(byte)) return new IlgpuStorage<byte>(accelerator, capacity);
        throw new NotSupportedException($"IlgpuBackend: no storage for element type {elementType.Name}");
    }

    /// <summary>The buffer's first Length elements, so the CPU simulator bounds-checks against what the caller asked for.</summary>
    internal static ArrayView<T> View<T>(DeviceBuffer<T> buffer) where T : unmanaged =>
        ((IlgpuStorage<T>)buffer.Storage).Buffer.View.SubView(0, buffer.Length);

    protected override void RunUpload<T>(ReadOnlySpan<T> source, DeviceBuffer<T> destination, int destinationOffset)
    {
        if (source.IsEmpty) return;
        staging.Upload(source, View(destination).SubView(destinationOffset, source.Length));
    }

    /// <summary>A download must wait for the kernels that write its source: one full stream synchronisation.</summary>
    protected override void RunDownload<T>(DeviceBuffer<T> source, Span<T> destination, int sourceOffset)
    {
        if (destination.IsEmpty) return;
        View(source).SubView(sourceOffset, destination.Length).CopyToCPU(stream, destination);
        CountHostWait();
        staging.Release();
    }

    protected override void RunCopy(DeviceBuffer<float> source, int sourceOffset, DeviceBuffer<float> destination, int destinationOffset, int count)
        => View(source).SubView(sourceOffset, count).CopyTo(stream, View(destination).SubView(destinationOffset, count));

    public override void Synchronize()
    {
        stream.Synchronize();
        CountHostWait();
        staging.Release();
    }

    protected override bool Asynchronous => true;

    /// <summary>Pooled buffers first, then the stream, the accelerator and the context (ILGPU #367).</summary>
    public override void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stream.Synchronize();
        base.Dispose();
        staging.Dispose();
        stream.Dispose();
        accelerator.Dispose();
        context.Dispose();
    }
}
