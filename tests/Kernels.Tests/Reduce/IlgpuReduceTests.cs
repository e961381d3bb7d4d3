
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

    /// <summary>
    /// Matches counted by one group: n past the group size (strided partials), an odd n, n = 0, and
    /// the count written into the asked-for slot only. A count that skipped the last element (the
    /// classic off-by-one of a strided loop) would miss the match planted there.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(301)]
    [InlineData(1000)]
    public void CountEqual_counts_every_match_into_its_slot(int n)
    {
        var rng = new System.Random(n + 1);
        var a = Enumerable.Range(0, n).Select(_ => rng.Next(4)).ToArray();
        var b = Enumerable.Range(0, n).Select(_ => rng.Next(4)).ToArray();
        if (n > 0) b[n - 1] = a[n - 1];
        int want = Enumerable.Range(0, n).Count(i => a[i] == b[i]);
        using var ab = backend.Allocate<int>(Math.Max(1, n)); using var bb = backend.Allocate<int>(Math.Max(1, n));
        if (n > 0) { backend.Upload<int>(a, ab); backend.Upload<int>(b, bb); }
        using var result = Upload(backend, new[] { -1f, -2f, -3f });
        backend.CountEqual(ab, bb, n, result, 1);
        Assert.Equal(new[] { -1f, want, -3f }, backend.ToArray(result));
    }
}
