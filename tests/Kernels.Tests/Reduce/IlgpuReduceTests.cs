
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Reduce;

/// <summary>
/// The ILGPU reduction kernels on ILGPU's CPU simulator (bounds-checked views) at small odd shapes,
/// against double-precision references written out here.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuReduceTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(3, 300, 1)]   // contiguous axis longer than a group: strided partials + tree
    [InlineData(4, 9, 1)]
    [InlineData(2, 7, 5)]     // strided axis: one thread per output
    public void ReduceSum_and_backward_match_double_reference(int outer, int axis, int inner)
    {
        var x = Rand(outer * axis * inner, 9);
        var dy = Rand(outer * inner, 10);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(outer * inner);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.ReduceSum(xb, yb, outer, axis, inner, 0.5f);
        backend.ReduceSumBackward(dyb, dxb, outer, axis, inner, 0.5f);
        var y = new double[outer * inner]; var dx = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int a = 0; a < axis; a++)
                for (int i = 0; i < inner; i++)
                {
                    y[o * inner + i] += 0.5 * x[(o * axis + a) * inner + i];
                    dx[(o * axis + a) * inner + i] = 0.5 * dy[o * inner + i];
                }
        Close(backend.ToArray(yb), y, GemmTolerance, "sum");
        Close(backend.ToArray(dxb), dx, GemmTolerance, "sum backward");
    }

    [Theory]
    [InlineData(4, 300, 1)]
    [InlineData(3, 7, 5)]
    public void ReduceMax_takes_first_maximum_lets_nan_win_and_routes_gradient(int outer, int axis, int inner)
    {
        var x = Rand(outer * axis * inner, 11);
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 4) / 4; // many ties
        // Row/column 0: all equal (argmax 0); row/column 1: a NaN in the middle wins.
        for (int a = 0; a < axis; a++) x[a * inner] = 0.5f;
        x[(axis + axis / 2) * inner] = float.NaN;
        var dy = Rand(outer * inner, 12);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(outer * inner);
        using var ib = backend.Allocate<int>(outer * inner);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.ReduceMax(xb, yb, ib, outer, axis, inner);
        backend.ReduceMaxBackward(dyb, ib, dxb, outer, axis, inner);
        var y = backend.ToArray(yb); var idx = backend.ToArray(ib); var dx = backend.ToArray(dxb);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int k = o * inner + i;
                float best = x[o * axis * inner + i]; int bestA = 0;
                for (int a = 1; a < axis; a++)
                {
                    float v = x[(o * axis + a) * inner + i];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; bestA = a; }
                }
                Assert.Equal(bestA, idx[k]);
                Assert.Equal(best, y[k]);
                for (int a = 0; a < axis; a++) Assert.Equal(a == bestA ? dy[k] : 0f, dx[(o * axis + a) * inner + i]);
            }
        Assert.Equal(0, idx[0]);
        Assert.True(float.IsNaN(y[inner])); // output (o = 1, i = 0)
    }
}
