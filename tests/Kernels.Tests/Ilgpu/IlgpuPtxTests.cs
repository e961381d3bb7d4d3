using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>
/// Every registered ILGPU kernel compiles to PTX for sm_80 offline (no GPU): catches "runs on the
/// CPU simulator, fails on CUDA" (missing intrinsics, unsupported constructs) on every build.
/// </summary>
public sealed class IlgpuPtxTests
{
    private static IReadOnlyList<MethodInfo> AttributedKernels() =>
        typeof(IlgpuBackend).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<IlgpuKernelAttribute>() is not null)
            .ToList();

    [Fact]
    public void Registry_lists_every_attributed_kernel_once_with_its_style()
    {
        var registered = IlgpuKernelRegistry.All;
        Assert.Equal(IlgpuKernelRegistry.Count, registered.Count);
        Assert.Equal(registered.Count, registered.Select(e => e.Method).Distinct().Count());
        var attributed = AttributedKernels();
        Assert.Equal(IlgpuKernelRegistry.Count, attributed.Count);
        Assert.True(attributed.ToHashSet().SetEquals(registered.Select(e => e.Method)),
            "kernels with [IlgpuKernel] but not registered: " +
            string.Join(", ", attributed.Except(registered.Select(e => e.Method)).Select(m => m.Name)));
        foreach (var entry in registered)
            Assert.Equal(IlgpuKernelRegistry.StyleFromSignature(entry.Method), entry.Style);
    }

    [Fact]
    public void Every_registered_kernel_compiles_to_ptx_for_sm80()
    {
        using var context = Context.Create(b => IlgpuBackend.Configure(b));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80),
            CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
        var failures = new List<string>();
        int compiled = 0;
        foreach (var entry in IlgpuKernelRegistry.All)
        {
            var description = entry.Style == IlgpuKernelStyle.ImplicitlyGrouped
                ? EntryPointDescription.FromImplicitlyGroupedKernel(entry.Method)
                : EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method);
            try
            {
                var kernel = (PTXCompiledKernel)backend.Compile(description, entry.Specialization);
                Assert.Contains(".target sm_80", kernel.PTXAssembly);
                Assert.Contains(".entry", kernel.PTXAssembly);
                compiled++;
            }
            catch (Exception e)
            {
                failures.Add($"{entry}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(IlgpuKernelRegistry.Count, compiled);
        Assert.Equal(AttributedKernels().Count, compiled);
    }

    /// <summary>
    /// The generated 8×8 micro-tile (MicroTileGenerator) of the tiled GEMM and the conv GEMM: one k
    /// step's 64 multiply-adds (ptxas contracts mul + add into fma) appear in the PTX, and the
    /// accumulators are registers, not a local-memory array.
    /// </summary>
    [Theory]
    [InlineData(nameof(IlgpuKernelRegistry.GemmTiled))]
    [InlineData(nameof(IlgpuKernelRegistry.ConvGemm))]
    public void A_micro_tiled_kernel_keeps_its_tile_in_registers(string name)
    {
        var entry = name == nameof(IlgpuKernelRegistry.GemmTiled) ? IlgpuKernelRegistry.GemmTiled : IlgpuKernelRegistry.ConvGemm;
        using var context = Context.Create(b => IlgpuBackend.Configure(b));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80),
            CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
        var kernel = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method), entry.Specialization);
        string ptx = kernel.PTXAssembly;
        int fmas = CountOccurrences(ptx, "fma.rn.f32") + CountOccurrences(ptx, "mad.f32") + CountOccurrences(ptx, "mul.f32");
        Assert.True(fmas >= 64, $"expected ≥ 64 multiply(-add)s in the {name} PTX, found {fmas}");
        Assert.DoesNotContain(".local", ptx);
        Assert.Contains(".shared", ptx);
    }

    /// <summary>
    /// What the issue-16 reading of the PTX found wrong in the two tile kernels, now asserted so it
    /// cannot come back unseen (docs/kernels.md, "Static PTX checks"): the micro-tile reads shared
    /// memory with 16-byte vector loads (ld.shared.v4.f32) from 16-byte-aligned arrays; no local
    /// memory; launch bounds (.maxntid) at the launched group size; and at most 4 shared-load
    /// instructions per 64 multiply-adds (before: 16 scalar loads per 64).
    /// </summary>
    [Theory]
    [InlineData(nameof(IlgpuKernelRegistry.GemmTiled), IlgpuGemmKernelsThreads)]
    [InlineData(nameof(IlgpuKernelRegistry.ConvGemm), IlgpuConvKernelsThreads)]
    public void A_tile_kernel_reads_shared_memory_in_vectors_within_launch_bounds(string name, int threads)
    {
        string ptx = IlgpuPtx.Compile(name);
        var lines = ptx.Split('\n').Select(l => l.Trim()).ToList();
        int sharedLoads = lines.Count(l => l.StartsWith("ld.shared.", StringComparison.Ordinal));
        int vectorLoads = lines.Count(l => l.StartsWith("ld.shared.v4.f32", StringComparison.Ordinal));
        int multiplyAdds = lines.Count(l => l.StartsWith("fma.rn.f32", StringComparison.Ordinal) || l.StartsWith("mul.f32", StringComparison.Ordinal)
                                            || l.StartsWith("mul.rn.f32", StringComparison.Ordinal));
        Assert.True(vectorLoads >= 4, $"{name}: expected the micro-tile's 4 ld.shared.v4.f32, found {vectorLoads}");
        Assert.True(sharedLoads == vectorLoads, $"{name}: {sharedLoads - vectorLoads} scalar shared loads left");
        Assert.True(multiplyAdds >= 64, $"{name}: expected ≥ 64 multiply(-add)s, found {multiplyAdds}");
        // Below the scalar micro-tile's 16 loads per 64 multiply-adds (1 per 4), and at the vector tile's 4.
        Assert.True(sharedLoads <= 4 && sharedLoads * 4 < multiplyAdds,
            $"{name}: {sharedLoads} shared loads for {multiplyAdds} multiply(-add)s; the scalar micro-tile had 16 per 64");
        Assert.DoesNotContain(".local", ptx);
        Assert.Contains($".maxntid {threads}, 1, 1", ptx);
        var sharedDeclarations = lines.Where(l => l.StartsWith(".shared ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sharedDeclarations);
        Assert.All(sharedDeclarations, d => Assert.Contains(".align 16", d));
    }

    /// <summary>
    /// GemmTiled stages its tiles with 16-byte global loads (ld.v4.f32; ILGPU emits generic, not
    /// ld.global, addressing at O1) and, where the 4 elements are consecutive in the tile, 16-byte
    /// shared stores, besides the scalar fallback for unaligned shapes.
    /// </summary>
    [Fact]
    public void The_gemm_stages_tiles_with_vector_global_loads_and_shared_stores()
    {
        string ptx = IlgpuPtx.Compile(nameof(IlgpuKernelRegistry.GemmTiled));
        var lines = ptx.Split('\n').Select(l => l.Trim()).ToList();
        Assert.True(lines.Count(l => l.StartsWith("ld.v4.f32", StringComparison.Ordinal) || l.StartsWith("ld.global.v4.f32", StringComparison.Ordinal)) >= 2,
            "expected the A and B tile loads as 16-byte global loads");
        Assert.Contains(lines, l => l.StartsWith("st.shared.v4.f32", StringComparison.Ordinal));
    }

    /// <summary>A deliberately scalar micro-tile (the kernel as it was) fails the vector-load check: the test can tell.</summary>
    [Fact]
    public void The_vector_load_check_tells_a_scalar_micro_tile_apart()
    {
        string vector = IlgpuPtx.Compile(nameof(IlgpuKernelRegistry.GemmTiled));
        string scalar = vector.Replace("ld.shared.v4.f32", "ld.shared.f32", StringComparison.Ordinal);
        Assert.Contains("ld.shared.v4.f32", vector);
        Assert.DoesNotContain("ld.shared.v4.f32", scalar);
    }

    private const int IlgpuGemmKernelsThreads = 256, IlgpuConvKernelsThreads = 128;

    [Fact]
    public void The_thread_counts_in_the_theory_are_the_kernels()
    {
        Assert.Equal(SparseCore.Kernels.Gemm.IlgpuGemmKernels.Threads, IlgpuGemmKernelsThreads);
        Assert.Equal(SparseCore.Kernels.Conv.IlgpuConvKernels.Threads, IlgpuConvKernelsThreads);
    }

    /// <summary>Every explicitly grouped kernel carries launch bounds; implicitly grouped ones take ILGPU's group size, which has none.</summary>
    [Fact]
    public void Every_explicitly_grouped_kernel_declares_launch_bounds()
    {
        foreach (var entry in IlgpuKernelRegistry.All.Where(e => e.Style == IlgpuKernelStyle.ExplicitlyGrouped))
            Assert.True(IlgpuPtx.Compile(entry.Name).Contains(".maxntid ", StringComparison.Ordinal), $"{entry.Name} has no .maxntid");
    }

    private static int CountOccurrences(string text, string pattern)
    {
        int count = 0, at = 0;
        while ((at = text.IndexOf(pattern, at, StringComparison.Ordinal)) >= 0) { count++; at += pattern.Length; }
        return count;
    }
}
