using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Sparse;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The sparse-weight ops through F on every backend: SparseConv2d and SparseLinear against the dense
/// Conv2d and Linear on the pruned weight and against the double reference (1×1 and 3×3, strides 1
/// and 2, padding 0–2, densities 1 to 0.01 with empty rows, odd sizes); an all-zero layer gives the
/// bias; the ops refuse to run where a tape would need them; bad operands are one-line errors
/// naming the op.
/// </summary>
public class SparseOpTests
{
    private const double Tolerance = 1e-5;
    private static readonly double[] Densities = [1.0, 0.5, 0.1, 0.01];

    public static IEnumerable<object[]> ConvGrid() =>
        from b in TestBackends.Names
        from k in new[] { 1, 3 }
        from stride in new[] { 1, 2 }
        from pad in new[] { 0, 1, 2 }
        from density in Densities
        select new object[] { b, k, stride, pad, density };

    [Theory]
    [MemberData(nameof(ConvGrid))]
    public void Sparse_conv_equals_the_dense_conv_on_the_pruned_weight_and_the_reference(string backendName, int k, int stride, int pad, double density)
    {
        var backend = TestBackends.Get(backendName);
        var s = TestBackends.IsSlow(backendName) ? new Conv2dShape(2, 3, 7, 6, 5, k, k, stride, stride, pad, pad)
                                                 : new Conv2dShape(3, 9, 13, 11, 11, k, k, stride, stride, pad, pad);
        bool withBias = (k + stride + pad) % 2 == 0;
        var rng = new System.Random(StableSeed.Of($"{k} {stride} {pad} {density}"));
        var x = RefTensor.Random(rng, s.N, s.Cin, s.H, s.W);
        var w = Pruned(RefTensor.Random(rng, s.Cout, s.Cin, k, k), rng, density);
        var b = RefTensor.Random(rng, s.Cout);
        var expected = ConvOpTests.RefConv(s, withBias).Forward(withBias ? [x, w, b] : [x, w]);

        using var scope = new TensorScope();
        var tx = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
        var tw = Tensor.FromArray(backend, w.ToFloat(), new Shape(w.Shape));
        var tb = withBias ? Tensor.FromArray(backend, b.ToFloat(), new Shape(s.Cout)) : null;
        using var sparseWeight = F.ToSparseWeight(tw);
        Assert.Equal(w.Data.Count(v => v != 0), sparseWeight.Nonzeros);

        var y = F.SparseConv2d(tx, sparseWeight, tb, stride, pad);
        Assert.Equal(new Shape(s.N, s.Cout, s.OutH, s.OutW), y.Shape);
        float[] sparse = y.ToArray();
        float[] dense = F.Conv2d(tx, tw, tb, stride, pad).ToArray();
        string what = $"{s} density {density} on {backendName}";
        double error = Norms.RelativeError(sparse, expected.Data);
        Assert.True(error <= Tolerance, $"{what}: error {error:E2} against the reference");
        double gap = Norms.RelativeError(sparse, Array.ConvertAll(dense, v => (double)v));
        Assert.True(gap <= Tolerance, $"{what}: error {gap:E2} against the dense conv");
    }

    public static IEnumerable<object[]> LinearGrid() =>
        from b in TestBackends.Names
        from batch in new[] { 1, 9, 70 }
        from density in Densities
        select new object[] { b, batch, density };

    [Theory]
    [MemberData(nameof(LinearGrid))]
    public void Sparse_linear_equals_the_dense_linear_on_the_pruned_weight_and_the_reference(string backendName, int batch, double density)
    {
        var backend = TestBackends.Get(backendName);
        var (inF, outF) = TestBackends.IsSlow(backendName) ? (19, 7) : (67, 45);
        var rng = new System.Random(StableSeed.Of($"linear {batch} {density}"));
        var x = RefTensor.Random(rng, batch, inF);
        var w = Pruned(RefTensor.Random(rng, outF, inF), rng, density);
        var b = RefTensor.Random(rng, outF);
        var expected = new double[batch * outF];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outF; o++)
            {
                double acc = b.Data[o];
                for (int c = 0; c < inF; c++) acc += w.Data[o * inF + c] * x.Data[n * inF + c];
                expected[n * outF + o] = acc;
            }

        using var scope = new TensorScope();
        var tx = Tensor.FromArray(backend, x.ToFloat(), new Shape(batch, inF));
        var tw = Tensor.FromArray(backend, w.ToFloat(), new Shape(outF, inF));
        var tb = Tensor.FromArray(backend, b.ToFloat(), new Shape(outF));
        using var sparseWeight = F.ToSparseWeight(tw);
        Assert.True(sparseWeight.IsLinear);
        float[] sparse = F.SparseLinear(tx, sparseWeight, tb).ToArray();
        float[] dense = F.Linear(tx, tw, tb).ToArray();
        double error = Norms.RelativeError(sparse, expected);
        Assert.True(error <= Tolerance, $"batch {batch} density {density} on {backendName}: error {error:E2} against the reference");
        double gap = Norms.RelativeError(sparse, Array.ConvertAll(dense, v => (double)v));
        Assert.True(gap <= Tolerance, $"batch {batch} density {density} on {backendName}: error {gap:E2} against the dense linear");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void An_all_zero_layer_gives_the_bias(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, RefTensor.Random(new System.Random(7), 2, 3, 5, 4).ToFloat(), new Shape(2, 3, 5, 4));
        float[] bias = [0.5f, -1.5f];
        using var conv = F.ToSparseWeight(Tensor.Zeros(backend, new Shape(2, 3, 3, 3)));
        float[] y = F.SparseConv2d(x, conv, Tensor.FromArray(backend, bias, new Shape(2)), stride: 2, padding: 1).ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(bias[i / 6 % 2], y[i]); // 3×2 outputs per channel
        using var linear = F.ToSparseWeight(Tensor.Zeros(backend, new Shape(2, 4)));
        Assert.Equal([0f, 0f, 0f, 0f], F.SparseLinear(Tensor.Full(backend, new Shape(2, 4), 1f), linear, null).ToArray());
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    // ---- inference only ---------------------------------------------------------------------

    [Fact]
    public void The_sparse_ops_refuse_inputs_that_require_grad_and_run_under_no_grad()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Full(backend, new Shape(1, 2, 4, 4), 1f);
        var w = Tensor.Full(backend, new Shape(3, 2, 3, 3), 0.5f);
        var bias = Tensor.Zeros(backend, new Shape(3));
        using var sparse = F.ToSparseWeight(w);
        x.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => F.SparseConv2d(x, sparse, bias, 1, 1));
        Assert.Equal("SparseConv2d is inference-only and records no backward, but x requires grad: run it under Autograd.NoGrad(), or train through the dense layer", e.Message);
        x.RequiresGrad = false;
        bias.RequiresGrad = true;
        Assert.Contains("but the bias requires grad", Assert.Throws<InvalidOperationException>(() => F.SparseConv2d(x, sparse, bias, 1, 1)).Message);
        using (Autograd.NoGrad())
        {
            x.RequiresGrad = true;
            var y = F.SparseConv2d(x, sparse, bias, 1, 1);
            Assert.False(y.RequiresGrad);
            Assert.Equal(9f, y.ToArray()[5]); // an interior output: 2 channels × 9 taps × 0.5
        }
        Assert.Equal(0, Autograd.TapeLength);
    }

    // ---- bad operands ------------------------------------------------------------------------

    [Fact]
    public void Bad_operands_are_one_line_errors_naming_the_op()
    {
        var cpu = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Zeros(cpu, new Shape(2, 3, 5, 5));
        using var conv = F.ToSparseWeight(Tensor.Zeros(cpu, new Shape(4, 3, 3, 3)));
        using var linear = F.ToSparseWeight(Tensor.Zeros(cpu, new Shape(4, 3)));
        using var narrow = F.ToSparseWeight(Tensor.Zeros(cpu, new Shape(4, 2, 3, 3)));
        using var other = new SparseCore.Kernels.Cpu.CpuBackend();
        using var foreign = SparseWeight.FromConv(other, new float[4 * 3 * 9], 4, 3, 3, 3);

        AssertShapeError("SparseConv2d", "SparseConv2d: the sparse weight [4, 3] is a linear weight; a conv needs [Cout, Cin, KH, KW]", () => F.SparseConv2d(x, linear, null));
        AssertShapeError("SparseConv2d", "SparseConv2d: the sparse weight [4, 2, 3, 3] has 2 input channels but x [2, 3, 5, 5] has 3", () => F.SparseConv2d(x, narrow, null));
        AssertShapeError("SparseConv2d", "SparseConv2d: bias must be [4], one per output channel of [4, 3, 3, 3], got [3]",
            () => F.SparseConv2d(x, conv, Tensor.Zeros(cpu, new Shape(3))));
        AssertShapeError("SparseConv2d", "SparseConv2d: the 3×3 kernel does not fit x [1, 3, 2, 5] padded by 0",
            () => F.SparseConv2d(Tensor.Zeros(cpu, new Shape(1, 3, 2, 5)), conv, null));
        AssertShapeError("SparseConv2d", "SparseConv2d: x must be [N, Cin, H, W], got [3, 5]", () => F.SparseConv2d(Tensor.Zeros(cpu, new Shape(3, 5)), conv, null));
        AssertShapeError("SparseLinear", "SparseLinear: the sparse weight [4, 3, 3, 3] is a conv weight; a linear layer needs [out, in]",
            () => F.SparseLinear(Tensor.Zeros(cpu, new Shape(2, 3)), conv, null));
        AssertShapeError("SparseLinear", "SparseLinear: x must be [N, 3] for the sparse weight [4, 3], got [2, 4]",
            () => F.SparseLinear(Tensor.Zeros(cpu, new Shape(2, 4)), linear, null));
        AssertShapeError("ToSparseWeight", "ToSparseWeight: weight [2, 3, 4] is neither a conv weight [Cout, Cin, KH, KW] nor a linear weight [out, in]",
            () => F.ToSparseWeight(Tensor.Zeros(cpu, new Shape(2, 3, 4))));
        var e = Assert.Throws<ArgumentException>(() => F.SparseConv2d(x, foreign, null));
        Assert.Equal("SparseConv2d: x lives on cpu, the sparse weight on cpu (another backend instance)", e.Message);
    }

    private static void AssertShapeError(string op, string message, Action act)
    {
        var e = Assert.Throws<TensorShapeException>(act);
        Assert.Equal(op, e.Op);
        Assert.Equal(message, e.Message);
    }

    /// <summary>Each entry kept with probability density (the rest exactly 0); below density 1 every third output row is emptied too.</summary>
    private static RefTensor Pruned(RefTensor w, System.Random rng, double density)
    {
        int row = w.Size / w.Shape[0];
        for (int i = 0; i < w.Size; i++)
            if (rng.NextDouble() >= density || (density < 1 && i / row % 3 == 1)) w.Data[i] = 0;
        return w;
    }
}
