using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Tests.Sparse;

/// <summary>
/// The sparse conv and linear forwards on every backend of <see cref="KernelTestBackends"/>: against
/// the double reference and the dense kernel on the pruned weight (1×1 and 3×3, strides 1 and 2,
/// padding 0–2, densities 1 to 0.01, empty rows, an all-zero layer); the CPU's code paths against
/// each other bit for bit; a kernel that drops one nonzero per row failing the same check; and the
/// contract's one-line errors.
/// </summary>
public class SparseForwardTests
{
    private const double Tolerance = 1e-5;
    private static readonly double[] Densities = [1.0, 0.5, 0.1, 0.01];

    public static TheoryData<string, int, int, int, double> ConvGrid()
    {
        var data = new TheoryData<string, int, int, int, double>();
        foreach (var b in KernelTestBackends.All)
            foreach (int k in new[] { 1, 3 })
                foreach (int stride in new[] { 1, 2 })
                    foreach (int pad in new[] { 0, 1, 2 })
                        foreach (double density in Densities)
                            data.Add(b.Name, k, stride, pad, density);
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvGrid))]
    public void Sparse_conv_matches_the_reference_and_the_dense_conv_on_the_pruned_weight(string backendName, int k, int stride, int pad, double density)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var s = new Conv2dShape(3, 7, 13, 11, 10, k, k, stride, stride, pad, pad);
        var c = SparseConvCase.Random(s, density, emptyRows: density < 1, bias: (k + stride + pad) % 2 == 0, seed: k * 100 + stride * 10 + pad);
        float[] sparse = c.Run(backend);
        string what = $"{s} density {density}";
        K.AssertClose(sparse, c.Reference(), Tolerance, $"{what} against the reference");
        K.AssertClose(sparse, K.ToDouble(Dense(backend, c)), Tolerance, $"{what} against the dense conv");
    }

    public static TheoryData<string, string> LayerCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var b in KernelTestBackends.All)
            foreach (string name in Layers.Keys) data.Add(b.Name, name);
        return data;
    }

    // Rows many 64-position tiles long; one image (rows split over threads) and several (images dealt out).
    private static readonly Dictionary<string, (Conv2dShape Shape, double Density)> Layers = new()
    {
        ["3x3 s1 p1 one image"] = (new(1, 32, 15, 17, 33, 3, 3, 1, 1, 1, 1), 0.1),
        ["3x3 s2 p1 five images"] = (new(5, 33, 17, 15, 31, 3, 3, 2, 2, 1, 1), 0.05),
        ["5x3 s(2,1) p(2,1)"] = (new(2, 9, 19, 13, 12, 5, 3, 2, 1, 2, 1), 0.3),
        ["1x1 s1 p0 wide"] = (new(3, 65, 9, 71, 19, 1, 1, 1, 1, 0, 0), 0.2),
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_sized_sparse_convs_match_the_reference(string backendName, string name)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var (s, density) = Layers[name];
        var c = SparseConvCase.Random(s, density, emptyRows: true, bias: true, seed: name.Length);
        K.AssertClose(c.Run(backend), c.Reference(), Tolerance, name);
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void An_all_zero_layer_gives_the_bias_or_zero(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var s = new Conv2dShape(2, 3, 7, 5, 4, 3, 3, 2, 2, 1, 1);
        var c = new SparseConvCase(s, SparseConvCase.Values(new System.Random(1), s.XLength), new float[s.WeightLength], [0.5f, -1f, 2f, 0f]);
        int plane = s.OutH * s.OutW;
        float[] y = c.Run(backend);
        for (int i = 0; i < y.Length; i++) Assert.Equal(c.Bias![i / plane % s.Cout], y[i]);
        Assert.All((c with { Bias = null }).Run(backend), v => Assert.Equal(0f, v));
        var linear = new SparseLinearCase(3, 5, 2, SparseConvCase.Values(new System.Random(2), 15), new float[10], [3f, -4f]);
        Assert.Equal([3f, -4f, 3f, -4f, 3f, -4f], linear.Run(backend));
    }

    public static TheoryData<string, int, double> LinearGrid()
    {
        var data = new TheoryData<string, int, double>();
        foreach (var b in KernelTestBackends.All)
            foreach (int batch in new[] { 1, 7, 8, 70, 131 })
                foreach (double density in Densities)
                    data.Add(b.Name, batch, density);
        return data;
    }

    [Theory]
    [MemberData(nameof(LinearGrid))]
    public void Sparse_linear_matches_the_reference_and_the_dense_gemm_on_the_pruned_weight(string backendName, int batch, double density)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var c = SparseLinearCase.Random(batch, 37, 23, density, emptyRows: density < 1, bias: batch % 2 == 1, seed: batch);
        float[] sparse = c.Run(backend);
        K.AssertClose(sparse, c.Reference(), Tolerance, $"batch {batch} density {density} against the reference");
        K.AssertClose(sparse, K.ToDouble(Dense(backend, c)), Tolerance, $"batch {batch} density {density} against the dense GEMM");
    }

    // ---- the CPU's paths give the same bits -----------------------------------------------

    [Fact]
    public void Images_dealt_to_threads_and_one_image_with_its_rows_split_give_the_same_bits()
    {
        using var backend = new CpuBackend();
        var s = new Conv2dShape(4, 19, 11, 13, 37, 3, 3, 1, 1, 1, 1);
        var batched = SparseConvCase.Random(s, 0.3, emptyRows: true, bias: true, seed: 5);
        float[] all = batched.Run(backend);
        for (int run = 0; run < 2; run++) K.AssertBitIdentical(all, batched.Run(backend), $"run {run + 2}");
        var one = s with { N = 1 };
        int inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * s.OutH * s.OutW;
        for (int n = 0; n < s.N; n++)
        {
            var single = batched with { Shape = one, X = batched.X.AsSpan(n * inPlane, inPlane).ToArray() };
            K.AssertBitIdentical(all.AsSpan(n * outPlane, outPlane), single.Run(backend), $"image {n} alone");
        }
    }

    [Fact]
    public void A_tiled_batch_and_its_rows_one_at_a_time_give_the_same_bits()
    {
        using var backend = new CpuBackend();
        var batched = SparseLinearCase.Random(70, 41, 29, 0.3, emptyRows: true, bias: true, seed: 6);
        float[] all = batched.Run(backend);
        for (int n = 0; n < batched.Batch; n++)
        {
            var single = batched with { Batch = 1, X = batched.X.AsSpan(n * batched.In, batched.In).ToArray() };
            K.AssertBitIdentical(all.AsSpan(n * batched.Out, batched.Out), single.Run(backend), $"row {n} alone");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    public void The_row_tile_gives_the_same_bits_at_both_vector_widths(int nonzeros)
    {
        var rng = new System.Random(nonzeros);
        float[] source = SparseConvCase.Values(rng, 1000);
        float[] values = SparseConvCase.Values(rng, nonzeros);
        int[] offsets = Enumerable.Range(0, nonzeros).Select(_ => rng.Next(0, 1000 - SparseRowTile.Width - 7)).ToArray();
        float[] wide = new float[SparseRowTile.Width], narrow = new float[SparseRowTile.Width];
        SparseRowTile.Run512(values, offsets, source, 7, wide);
        SparseRowTile.Run256(values, offsets, source, 7, narrow);
        K.AssertBitIdentical(wide, narrow, $"{nonzeros} nonzeros");
        var expected = new double[SparseRowTile.Width];
        for (int j = 0; j < expected.Length; j++)
            for (int e = 0; e < nonzeros; e++) expected[j] += (double)values[e] * source[7 + offsets[e] + j];
        K.AssertClose(wide, expected, Tolerance, "tile against the double sum");
    }

    // ---- the check catches a wrong kernel -------------------------------------------------

    [Theory]
    [InlineData(3, 1, 1, 0.5)]
    [InlineData(3, 2, 1, 0.1)]
    [InlineData(1, 1, 0, 0.5)]
    public void A_kernel_that_skips_each_rows_last_nonzero_fails_the_check(int k, int stride, int pad, double density)
    {
        using var right = new CpuBackend();
        using var wrong = new SkipLastNonzeroBackend();
        var c = SparseConvCase.Random(new Conv2dShape(2, 7, 9, 11, 8, k, k, stride, stride, pad, pad), density, emptyRows: true, bias: true, seed: 9);
        Assert.True(c.Error(right) <= Tolerance);
        double error = c.Error(wrong);
        Assert.True(error > 1e-3, $"a conv missing one nonzero per row passed the check (error {error:E2})");
        var linear = SparseLinearCase.Random(9, 31, 12, density, emptyRows: true, bias: true, seed: 10);
        Assert.True(linear.Error(right) <= Tolerance);
        Assert.True(linear.Error(wrong) > 1e-3, "a linear missing one nonzero per row passed the check");
    }

    /// <summary>A CPU backend whose sparse kernels drop the last nonzero of every row: what the checks exist to catch.</summary>
    private sealed class SkipLastNonzeroBackend : CpuBackend
    {
        protected override void RunSparseConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
        {
            using var shorter = SparseWeight.FromConv(this, WithoutLastNonzeros(w), w.OutChannels, w.InChannels, w.KernelH, w.KernelW);
            base.RunSparseConv2dForward(shape, x, shorter, bias, y);
        }

        protected override void RunSparseLinearForward(DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int batch)
        {
            using var shorter = SparseWeight.FromLinear(this, WithoutLastNonzeros(w), w.OutChannels, w.InChannels);
            base.RunSparseLinearForward(x, shorter, bias, y, batch);
        }

        private static float[] WithoutLastNonzeros(SparseWeight w)
        {
            float[] dense = w.ToDense();
            int row = dense.Length / w.OutChannels;
            for (int o = 0; o < w.OutChannels; o++)
                for (int i = (o + 1) * row - 1; i >= o * row; i--)
                    if (dense[i] != 0f)
                    {
                        dense[i] = 0f;
                        break;
                    }
            return dense;
        }
    }

    // ---- bad input: one line naming the problem, before any kernel ------------------------

    [Fact]
    public void The_contract_rejects_mismatched_foreign_and_short_operands_in_one_line()
    {
        using var backend = new CpuBackend();
        using var other = new CpuBackend();
        var s = new Conv2dShape(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1);
        using var x = backend.Allocate<float>((int)s.XLength);
        using var y = backend.Allocate<float>((int)s.YLength);
        using var shortY = backend.Allocate<float>((int)s.YLength - 1);
        using var bias = backend.Allocate<float>(s.Cout - 1);
        using var conv = SparseWeight.FromConv(backend, new float[s.WeightLength], 6, 4, 3, 3);
        using var wide = SparseWeight.FromConv(backend, new float[6 * 5 * 9], 6, 5, 3, 3);
        using var linear = SparseWeight.FromLinear(backend, new float[6 * 4], 6, 4);
        using var foreign = SparseWeight.FromConv(other, new float[s.WeightLength], 6, 4, 3, 3);
        var disposed = SparseWeight.FromConv(backend, new float[s.WeightLength], 6, 4, 3, 3);
        disposed.Dispose();

        AssertOneLine("SparseConv2dForward: the sparse weight was built on another backend instance ('cpu'), not on this 'cpu' backend",
            () => backend.SparseConv2dForward(s, x, foreign, null, y));
        AssertOneLine("SparseConv2dForward: the sparse weight is a linear weight [6, 4], not a conv weight [Cout, Cin, KH, KW]",
            () => backend.SparseConv2dForward(s, x, linear, null, y));
        AssertOneLine("SparseConv2dForward: the sparse weight is [6, 5, 3, 3] but the conv needs [6, 4, 3, 3]",
            () => backend.SparseConv2dForward(s, x, wide, null, y));
        AssertOneLine($"SparseConv2dForward: y has {s.YLength - 1} elements, needs {s.YLength}",
            () => backend.SparseConv2dForward(s, x, conv, null, shortY));
        AssertOneLine("SparseConv2dForward: bias has 5 elements, needs 6",
            () => backend.SparseConv2dForward(s, x, conv, bias, y));
        AssertOneLine("SparseConv2dForward: StrideH = 0 must be ≥ 1",
            () => backend.SparseConv2dForward(s with { StrideH = 0 }, x, conv, null, y));
        Assert.Throws<ObjectDisposedException>(() => backend.SparseConv2dForward(s, x, disposed, null, y));

        AssertOneLine("SparseLinearForward: the sparse weight is a conv weight [6, 4, 3, 3], not a linear weight [out, in]",
            () => backend.SparseLinearForward(x, conv, null, y, 2));
        AssertOneLine("SparseLinearForward: batch must be ≥ 1, got 0",
            () => backend.SparseLinearForward(x, linear, null, y, 0));
        AssertOneLine($"SparseLinearForward: x has {s.XLength} elements, needs {70 * 4}",
            () => backend.SparseLinearForward(x, linear, null, y, 70));
    }

    private static void AssertOneLine(string message, Action act)
    {
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.Equal(message, e.Message);
    }

    // ---- the dense kernels on the pruned weight ---------------------------------------------

    private static float[] Dense(Backend backend, SparseConvCase c)
    {
        using var x = K.Upload(backend, c.X);
        using var w = K.Upload(backend, c.W);
        using var bias = c.Bias is null ? null : K.Upload(backend, c.Bias);
        using var y = backend.Allocate<float>((int)c.Shape.YLength);
        backend.Conv2dForward(c.Shape, x, w, bias, y);
        return backend.ToArray(y);
    }

    private static float[] Dense(Backend backend, SparseLinearCase c)
    {
        using var x = K.Upload(backend, c.X);
        using var w = K.Upload(backend, c.W);
        using var y = backend.Allocate<float>(c.Batch * c.Out);
        backend.Gemm(new GemmSpec(false, true, c.Batch, c.Out, c.In), x, w, y);
        float[] result = backend.ToArray(y);
        if (c.Bias is not null)
            for (int i = 0; i < result.Length; i++) result[i] += c.Bias[i % c.Out];
        return result;
    }
}
