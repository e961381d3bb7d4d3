using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels;

/// <summary>
/// Backend selection: --device cpu | cuda | ilgpu-cpu, else $SPARSECORE_DEVICE, else
/// cuda when an NVIDIA device is found, else cpu.
/// </summary>
public static class Devices
{
    public const string EnvironmentVariable = "SPARSECORE_DEVICE";

    public static IReadOnlyList<string> Names { get; } = ["cpu", "cuda", "ilgpu-cpu"];

    public static Backend Create(string? name = null)
    {
        name ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(name)) name = IlgpuBackend.DescribeCudaDevices().Count > 0 ? "cuda" : "cpu";
        return name switch
        {
            "cpu" => new CpuBackend(),
            "cuda" => IlgpuBackend.CreateCuda(),
            "ilgpu-cpu" => IlgpuBackend.CreateCpuSimulator(),
            _ => throw new ArgumentException($"unknown device '{name}'; choose one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>One line per device found, for `sparsecore info`.</summary>
    public static IEnumerable<string> Describe()
    {
        using (var cpu = new CpuBackend()) yield return $"cpu: {cpu.DeviceDescription}";
        var cuda = IlgpuBackend.DescribeCudaDevices();
        if (cuda.Count == 0) yield return "cuda: none found";
        foreach (var line in cuda) yield return $"cuda: {line}";
        yield return "ilgpu-cpu: ILGPU's CPU simulator (for checking the ILGPU kernels at small sizes)";
    }
}
