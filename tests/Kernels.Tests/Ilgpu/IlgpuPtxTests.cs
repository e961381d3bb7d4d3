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
                var kernel = (PTXCompiledKernel)backend.Compile(description, KernelSpecialization.Empty);
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
        var kernel = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method), KernelSpecialization.Empty);
        string ptx = kernel.PTXAssembly;
        int fmas = CountOccurrences(ptx, "fma.rn.f32") + CountOccurrences(ptx, "mad.f32") + CountOccurrences(ptx, "mul.f32");
        Assert.True(fmas >= 64, $"expected ≥ 64 multiply(-add)s in the {name} PTX, found {fmas}");
        Assert.DoesNotContain(".local", ptx);
        Assert.Contains(".shared", ptx);
    }

    private static int CountOccurrences(string text, string pattern)
    {
        int count = 0, at = 0;
        while ((at = text.IndexOf(pattern, at, StringComparison.Ordinal)) >= 0) { count++; at += pattern.Length; }
        return count;
    }
}
