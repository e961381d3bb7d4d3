using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Random;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Random;

/// <summary>
/// The ILGPU random fill on ILGPU's CPU simulator, against the CPU backend and the distribution's
/// moments.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuRandomTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Fact]
    public void FillRandom_uniform_and_bernoulli_are_bit_identical_to_the_cpu_backend_and_normal_is_sane()
    {
        using var cpu = new CpuBackend();
        foreach (var (dist, a, b) in new[] { (RandomDistribution.Uniform, -2f, 3f), (RandomDistribution.Bernoulli, 0.3f, 0f) })
        {
            using var g = backend.Allocate<float>(1001); using var c = cpu.Allocate<float>(1001);
            backend.FillRandom(g, dist, a, b, seed: 42, stream: 7);
            cpu.FillRandom(c, dist, a, b, seed: 42, stream: 7);
            Assert.Equal(cpu.ToArray(c), backend.ToArray(g));
        }
        const int n = 4001;
        using var normal = backend.Allocate<float>(n);
        backend.FillRandom(normal, RandomDistribution.Normal, 1.5f, 2f, seed: 3, stream: 1);
        var v = backend.ToArray(normal);
        double mean = v.Average(x => (double)x);
        double std = Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, 1.5 - 0.15, 1.5 + 0.15);
        Assert.InRange(std, 2 * 0.93, 2 * 1.07);
        Assert.All(v, x => Assert.True(float.IsFinite(x)));
    }
}
