using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Kernels.Sparse;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Sparse;

/// <summary>
/// The sparse conv kernel on the CPU simulator (every view access bounds-checked) against the
/// double reference at small shapes: 1×1 and 3×3, strides 1 and 2, padding 0–2, densities 1 to
/// 0.01 with empty rows, an all-zero layer; the linear layer it also serves; and a weight
/// compressed on the simulator refused by the CPU backend.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuSparseTests(IlgpuSimulatorFixture fixture)
{
    private const double Tolerance = 1e-5;
    private readonly IlgpuBackend backend = fixture.Backend;

    public static TheoryData<int, int, int, double> Grid()
    {
        var data = new TheoryData<int, int, int, double>();
        foreach (int k in new[] { 1, 3 })
            foreach (int stride in new[] { 1, 2 })
                foreach (int pad in new[] { 0, 1, 2 })
                    foreach (double density in new[] { 1.0, 0.5, 0.1, 0.01 })
                        data.Add(k, stride, pad, density);
        return data;
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void Sparse_conv_matches_the_reference(int k, int stride, int pad, double density)
    {
        var s = new Conv2dShape(2, 5, 7, 6, 7, k, k, stride, stride, pad, pad);
        var c = SparseConvCase.Random(s, density, emptyRows: density < 1, bias: (k + stride + pad) % 2 == 1, seed: k * 100 + stride * 10 + pad);
        Host.Close(c.Run(backend), c.Reference(), Tolerance, $"{s} density {density}");
    }

    [Fact]
    public void An_all_zero_layer_gives_the_bias()
    {
        var s = new Conv2dShape(1, 3, 5, 4, 3, 3, 3, 1, 1, 1, 1);
        var c = new SparseConvCase(s, SparseConvCase.Values(new System.Random(4), s.XLength), new float[s.WeightLength], [1f, -2f, 0.25f]);
        int plane = s.OutH * s.OutW;
        float[] y = c.Run(backend);
        for (int i = 0; i < y.Length; i++) Assert.Equal(c.Bias![i / plane], y[i]);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(5, 0.5)]
    [InlineData(9, 0.1)]
    [InlineData(3, 0.01)]
    public void Sparse_linear_matches_the_reference(int batch, double density)
    {
        var c = SparseLinearCase.Random(batch, 29, 13, density, emptyRows: density < 1, bias: true, seed: batch);
        Host.Close(c.Run(backend), c.Reference(), Tolerance, $"batch {batch} density {density}");
    }

    [Fact]
    public void A_weight_compressed_on_the_simulator_is_refused_by_the_cpu_backend_in_one_line()
    {
        using var cpu = new CpuBackend();
        using var w = SparseWeight.FromLinear(backend, [1f, 0f, 2f, 0f, 0f, 3f], 2, 3);
        using var x = cpu.Allocate<float>(3);
        using var y = cpu.Allocate<float>(2);
        var e = Assert.Throws<ArgumentException>(() => cpu.SparseLinearForward(x, w, null, y, 1));
        Assert.Equal("SparseLinearForward: the sparse weight was built on another backend instance ('ilgpu-cpu'), not on this 'cpu' backend", e.Message);
    }
}
