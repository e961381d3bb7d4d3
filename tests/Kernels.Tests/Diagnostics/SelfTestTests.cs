using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests.Diagnostics;

/// <summary>`sparsecore selftest` itself: it passes on a correct device and catches a wrong one.</summary>
public class SelfTestTests
{
    [Fact]
    public void Every_kernel_of_the_ilgpu_simulator_passes_the_selftest()
    {
        using var target = IlgpuBackend.CreateCpuSimulator();
        using var reference = new CpuBackend();
        var results = new KernelSelfTest(target, reference, small: true).Run();
        Assert.True(results.Count >= 30, $"only {results.Count} kernels checked");
        var failed = results.Where(r => !r.Passed).Select(r => $"{r.Kernel} {r.Shape}: {r.Error:E2}").ToList();
        Assert.True(failed.Count == 0, string.Join("; ", failed));
    }

    [Fact]
    public void A_device_with_a_wrong_kernel_fails_the_selftest()
    {
        using var target = new WrongAxpbyBackend();
        using var reference = new CpuBackend();
        var results = new KernelSelfTest(target, reference, small: true).Run();
        Assert.Contains(results, r => r.Kernel == "axpby" && !r.Passed);
        Assert.All(results.Where(r => r.Kernel != "axpby"), r => Assert.True(r.Passed, r.Kernel));
    }

    /// <summary>A CPU backend whose Axpby is off by 1%: what the selftest exists to catch.</summary>
    private sealed class WrongAxpbyBackend : CpuBackend
    {
        protected override void RunAxpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n)
        {
            base.RunAxpby(alpha, x, beta, y, n);
            RunAffine(y, y, 1.01f, 0f, n);
        }
    }
}
