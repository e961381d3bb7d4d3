using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Masked;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// What `sparsecore gpu-check` reads off a live backend: the driver and device, each loaded
/// kernel's registers, spills and occupancy, and device time between two stream markers.
/// </summary>
public sealed partial class IlgpuBackend
{
    private readonly List<(IlgpuKernelEntry Entry, Kernel Kernel)> loadedKernels = new();

    private TDelegate Loaded<TDelegate>(IlgpuKernelEntry entry, TDelegate launcher) where TDelegate : Delegate
    {
        loadedKernels.Add((entry, launcher.GetKernel()));
        return launcher;
    }

    /// <summary>Whether this backend runs on a CUDA device (not the CPU simulator).</summary>
    public bool IsCuda => isCuda;

    /// <summary>Driver, device and libcuda facts as (label, value) rows; on the CPU simulator, that there is no CUDA device.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DescribeDriver()
    {
        var rows = new List<KeyValuePair<string, string>> { new("accelerator", DeviceDescription) };
        if (accelerator is not CudaAccelerator cuda)
        {
            rows.Add(new("cuda", "no CUDA device (ILGPU CPU accelerator)"));
            return rows;
        }
        rows.Add(new("driver", cuda.DriverVersion.ToString()));
        rows.Add(new("architecture", $"{cuda.Architecture} (PTX ISA {cuda.InstructionSet})"));
        rows.Add(new("multiprocessors", cuda.NumMultiprocessors.ToString()));
        rows.Add(new("clock", $"{cuda.ClockRate / 1000} MHz"));
        // Peak DRAM bandwidth from the memory clock (kHz) and bus width, ×2 for double data rate.
        double peakGBs = 2.0 * cuda.MemoryClockRate * 1e3 * (cuda.MemoryBusWidth / 8.0) / 1e9;
        rows.Add(new("memory", $"{cuda.MemorySize / (1024.0 * 1024 * 1024):F1} GiB, {cuda.MemoryBusWidth}-bit bus, peak ≈ {peakGBs:F0} GB/s"));
        rows.Add(new("libcuda", CudaFunctionAttributes.LoadedLibraryPath() ?? "not found in /proc/self/maps"));
        return rows;
    }

    /// <summary>
    /// One row per loaded kernel. Occupancy is ILGPU's estimate for the group size the launcher
    /// uses (the tile kernels' fixed size, the row kernels' largest, ILGPU's own choice for
    /// implicitly grouped kernels). On the CPU simulator there is nothing compiled to inspect.
    /// </summary>
    public IReadOnlyList<IlgpuKernelResources> DescribeKernels()
    {
        var rows = new List<IlgpuKernelResources>();
        foreach (var (entry, kernel) in loadedKernels)
        {
            int group = LaunchGroupSize(entry, kernel);
            if (kernel is not CudaKernel cuda)
            {
                rows.Add(new(entry.Name, group, null, null, null, null, null, "not available on the CPU accelerator"));
                continue;
            }
            accelerator.Bind();
            int? active = null;
            try { active = accelerator.EstimateMaxActiveGroupsPerMultiprocessor(kernel, group); }
            catch (Exception e) when (e is NotSupportedException or CudaException) { }
            var f = cuda.FunctionPtr;
            rows.Add(new(entry.Name, group,
                CudaFunctionAttributes.Get(f, CudaFunctionAttributes.NumRegs),
                CudaFunctionAttributes.Get(f, CudaFunctionAttributes.LocalSizeBytes),
                CudaFunctionAttributes.Get(f, CudaFunctionAttributes.SharedSizeBytes),
                CudaFunctionAttributes.Get(f, CudaFunctionAttributes.MaxThreadsPerBlock),
                active, null));
        }
        return rows;
    }

    private int LaunchGroupSize(IlgpuKernelEntry entry, Kernel kernel)
    {
        if (ReferenceEquals(entry, IlgpuKernelRegistry.GemmTiled)) return IlgpuGemmKernels.Threads;
        if (ReferenceEquals(entry, IlgpuKernelRegistry.ConvGemm)) return IlgpuConvKernels.Threads;
        if (ReferenceEquals(entry, IlgpuKernelRegistry.MaskWeightGradIn)) return IlgpuMaskedKernels.InMaskGroup;
        if (entry.Style == IlgpuKernelStyle.ExplicitlyGrouped) return RowGroupMax;
        try { return Math.Max(1, accelerator.EstimateGroupSize(kernel)); }
        catch (NotSupportedException) { return RowGroupMax; }
    }

    /// <summary>
    /// Device time of the work <paramref name="enqueue"/> puts on the stream, between a marker
    /// before it and one after (waits for the second). Gaps in which the device waited for the
    /// host are included, so compare with the host's own time to see which side bounds the work.
    /// </summary>
    public TimeSpan DeviceTime(Action enqueue)
    {
        ArgumentNullException.ThrowIfNull(enqueue);
        using var start = stream.AddProfilingMarker();
        enqueue();
        using var end = stream.AddProfilingMarker();
        end.Synchronize();
        return end.MeasureFrom(start);
    }
}
