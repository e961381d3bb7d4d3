using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The backends every op test runs on. The CPU backend is checked at realistic sizes; ILGPU's CPU
/// simulator (each simulated GPU thread an OS thread) only at small ones.
/// </summary>
public static class TestBackends
{
    private static readonly Lazy<Backend> cpu = new(() => new CpuBackend());
    private static readonly Lazy<Backend> ilgpuCpu = new(IlgpuBackend.CreateCpuSimulator);

    public static IEnumerable<string> Names => ["cpu", "ilgpu-cpu"];

    public static Backend Get(string name) => name switch
    {
        "cpu" => cpu.Value,
        "ilgpu-cpu" => ilgpuCpu.Value,
        _ => throw new ArgumentException($"unknown test backend {name}"),
    };

    /// <summary>True where shapes should stay tiny because every launch is expensive.</summary>
    public static bool IsSlow(string name) => name != "cpu";
}
