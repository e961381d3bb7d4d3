using SparseCore.Kernels;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Masked;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The three forms of a channel-pruned conv against one double reference (the dense conv of the
/// input with its dropped channels zeroed): masked-dense (dense conv, then a 0/1 channel mask, the
/// input masked too) is the reference times the output mask — exact zeros on dropped channels —
/// and gather conv and compact conv give its kept channels, in the selection's order. Odd shapes,
/// unsorted kept lists, one kept channel, all kept; bad selections rejected before any kernel runs.
/// </summary>
public class GatherConvTests
{
    private const double Tolerance = 1e-5;

    /// <summary>A pruned conv: the full layer's geometry and the kept channels (null: a seeded unsorted subset of that size).</summary>
    public sealed record Case(string Name, Conv2dShape Cpu, Conv2dShape Small, bool Bias,
                              Func<int, int[]> KeptIn, Func<int, int[]> KeptOut);

    private static Func<int, int[]> Fraction(double ratio, int seed) => width => Shuffled(width, seed)[..Math.Max(1, (int)Math.Round(width * ratio))];
    private static Func<int, int[]> Single(int channel) => width => [Math.Min(channel, width - 1)];
    private static readonly Func<int, int[]> All = width => Enumerable.Range(0, width).ToArray();

    private static readonly Case[] Cases =
    [
        new("3x3 s1 p1 unsorted", new(4, 17, 15, 13, 19, 3, 3, 1, 1, 1, 1), new(2, 5, 7, 6, 7, 3, 3, 1, 1, 1, 1), true,
            Fraction(0.6, 1), Fraction(0.5, 2)),
        new("3x3 s2 p1 out only", new(3, 23, 11, 9, 21, 3, 3, 2, 2, 1, 1), new(2, 3, 9, 7, 5, 3, 3, 2, 2, 1, 1), false,
            All, Fraction(0.4, 3)),
        new("7x7 s2 p3 one output", new(2, 3, 17, 15, 9, 7, 7, 2, 2, 3, 3), new(1, 3, 9, 11, 5, 7, 7, 2, 2, 3, 3), true,
            Fraction(0.67, 4), Single(3)),
        new("3x3 s1 p1 one input", new(3, 13, 9, 11, 15, 3, 3, 1, 1, 1, 1), new(2, 5, 5, 7, 3, 3, 3, 1, 1, 1, 1), true,
            Single(4), Fraction(0.7, 5)),
        new("5x5 s1 p0 keep all", new(2, 11, 13, 11, 7, 5, 5, 1, 1, 0, 0), new(1, 3, 7, 6, 5, 5, 5, 1, 1, 0, 0), true,
            All, All),
        new("1x1 pointwise unsorted", new(4, 33, 9, 7, 29, 1, 1, 1, 1, 0, 0), new(2, 7, 5, 3, 5, 1, 1, 1, 1, 0, 0), false,
            Fraction(0.5, 6), Fraction(0.75, 7)),
        new("1x1 pointwise keep all", new(3, 9, 7, 5, 11, 1, 1, 1, 1, 0, 0), new(2, 3, 5, 3, 4, 1, 1, 1, 1, 0, 0), true,
            All, Fraction(0.5, 8)),
        // One image: the CPU's im2col + team-parallel SGEMM path rather than the implicit one.
        new("3x3 s2 p1 one image", new(1, 19, 13, 11, 17, 3, 3, 2, 2, 1, 1), new(1, 3, 7, 5, 5, 3, 3, 2, 2, 1, 1), true,
            Fraction(0.5, 11), Fraction(0.6, 12)),
        // More than one 64-row tile of kept outputs on ILGPU.
        new("3x3 s1 p1 two row tiles", new(2, 9, 7, 9, 131, 3, 3, 1, 1, 1, 1), new(1, 3, 5, 4, 71, 3, 3, 1, 1, 1, 1), true,
            Fraction(0.67, 9), Fraction(0.95, 10)),
    ];

    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from c in Cases select new object[] { b, c.Name };

    private static int[] Shuffled(int width, int seed)
    {
        var perm = Enumerable.Range(0, width).ToArray();
        new System.Random(seed).Shuffle(perm);
        return perm;
    }

    /// <summary>A case's geometry, kept lists and random operands, with x's dropped channels zeroed (the reference's input).</summary>
    private sealed record Prepared(Conv2dShape S, int[] KeptIn, int[] KeptOut, RefTensor X, RefTensor W, RefTensor B,
                                   RefTensor XMasked, double[] MIn, System.Random Rng);

    private static Prepared Prepare(string backendName, string caseName)
    {
        var c = Cases.Single(k => k.Name == caseName);
        var s = TestBackends.IsSlow(backendName) ? c.Small : c.Cpu;
        int[] keptIn = c.KeptIn(s.Cin), keptOut = c.KeptOut(s.Cout);
        var rng = new System.Random(StableSeed.Of(caseName));
        var x = RefTensor.Random(rng, s.N, s.Cin, s.H, s.W);
        var w = RefTensor.Random(rng, s.Cout, s.Cin, s.KH, s.KW);
        var b = RefTensor.Random(rng, s.Cout);
        double[] mIn = MaskOf(keptIn, s.Cin);
        var xMasked = x.Copy();
        int plane = s.H * s.W;
        for (int i = 0; i < xMasked.Size; i++) xMasked.Data[i] *= mIn[i / plane % s.Cin];
        return new Prepared(s, keptIn, keptOut, x, w, b, xMasked, mIn, rng);
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Masked_dense_gather_and_compact_agree_on_the_kept_channels(string backendName, string caseName)
    {
        var backend = TestBackends.Get(backendName);
        var c = Cases.Single(k => k.Name == caseName);
        var (s, keptIn, keptOut, x, w, b, xMasked, mIn, _) = Prepare(backendName, caseName);
        double[] mOut = MaskOf(keptOut, s.Cout);

        // Reference: the dense conv of x with its dropped channels zeroed.
        RefTensor[] refInputs = c.Bias ? [xMasked, w, b] : [xMasked, w];
        var full = ConvOpTests.RefConv(s, c.Bias).Forward(refInputs);
        int p = s.OutH * s.OutW;
        var maskedExpected = new double[full.Size];
        for (int i = 0; i < full.Size; i++) maskedExpected[i] = full.Data[i] * mOut[i / p % s.Cout];
        var keptExpected = new double[s.N * keptOut.Length * p];
        for (int n = 0; n < s.N; n++)
            for (int j = 0; j < keptOut.Length; j++)
                Array.Copy(full.Data, (n * s.Cout + keptOut[j]) * p, keptExpected, (n * keptOut.Length + j) * p, p);

        using var scope = new TensorScope();
        using var inSel = ChannelSelection.FromIndices(backend, keptIn, s.Cin);
        using var outSel = ChannelSelection.FromIndices(backend, keptOut, s.Cout);
        var tx = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
        var tw = Tensor.FromArray(backend, w.ToFloat(), new Shape(w.Shape));
        var tb = c.Bias ? Tensor.FromArray(backend, b.ToFloat(), new Shape(s.Cout)) : null;
        var tmIn = Tensor.FromArray(backend, Array.ConvertAll(mIn, v => (float)v), new Shape(s.Cin));
        var tmOut = Tensor.FromArray(backend, Array.ConvertAll(mOut, v => (float)v), new Shape(s.Cout));

        var maskedDense = F.MaskChannels(F.Conv2d(F.MaskChannels(tx, tmIn), tw, tb, s.StrideH, s.StrideW, s.PadH, s.PadW), tmOut).ToArray();
        Assert.True(Norms.RelativeError(maskedDense, maskedExpected) <= Tolerance, $"{caseName} masked-dense on {backendName}");
        for (int i = 0; i < maskedDense.Length; i++)
            if (mOut[i / p % s.Cout] == 0) Assert.Equal(0f, maskedDense[i]);

        var gather = F.GatherConv2d(tx, tw, tb, inSel, outSel, s.StrideH, s.PadH);
        Assert.Equal(new Shape(s.N, keptOut.Length, s.OutH, s.OutW), gather.Shape);
        double gatherError = Norms.RelativeError(gather.ToArray(), keptExpected);
        Assert.True(gatherError <= Tolerance, $"{caseName} gather conv on {backendName}: error {gatherError:E2}");

        var compact = F.ExtractCompactConv(tw, tb, inSel, outSel);
        Assert.Equal(new Shape(keptOut.Length, keptIn.Length, s.KH, s.KW), compact.Weight.Shape);
        var compactY = F.Conv2d(F.GatherChannels(tx, inSel), compact.Weight, compact.Bias, s.StrideH, s.PadH);
        double compactError = Norms.RelativeError(compactY.ToArray(), keptExpected);
        Assert.True(compactError <= Tolerance, $"{caseName} compact conv on {backendName}: error {compactError:E2}");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void With_no_kept_input_channel_the_output_is_the_bias(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var s = new Conv2dShape(2, 5, 5, 4, 7, 3, 3, 1, 1, 1, 1);
        var rng = new System.Random(11);
        using var scope = new TensorScope();
        using var inSel = ChannelSelection.FromIndices(backend, [], s.Cin);
        using var outSel = ChannelSelection.FromIndices(backend, [6, 1, 3], s.Cout);
        var x = Tensor.FromArray(backend, RefTensor.Random(rng, s.N, s.Cin, s.H, s.W).ToFloat(), new Shape(s.N, s.Cin, s.H, s.W));
        var w = Tensor.FromArray(backend, RefTensor.Random(rng, s.Cout, s.Cin, 3, 3).ToFloat(), new Shape(s.Cout, s.Cin, 3, 3));
        float[] bias = RefTensor.Random(rng, s.Cout).ToFloat();
        var b = Tensor.FromArray(backend, bias, new Shape(s.Cout));
        float[] y = F.GatherConv2d(x, w, b, inSel, outSel, 1, 1).ToArray();
        int p = s.OutH * s.OutW;
        for (int i = 0; i < y.Length; i++) Assert.Equal(bias[outSel.Indices[i / p % 3]], y[i]);
        Assert.All(F.GatherConv2d(x, w, null, inSel, outSel, 1, 1).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Gather_conv_gradients_match_the_reference_and_are_zero_on_dropped_channels(string backendName, string caseName)
    {
        // Reference: the dense conv of x with its dropped channels zeroed, seeded with the kept
        // outputs' seed (zero on the dropped outputs); x's gradient masked as x was.
        var backend = TestBackends.Get(backendName);
        var c = Cases.Single(k => k.Name == caseName);
        var (s, keptIn, keptOut, x, w, b, xMasked, mIn, rng) = Prepare(backendName, caseName);
        var seed = RefTensor.Random(rng, s.N, keptOut.Length, s.OutH, s.OutW);
        int plane = s.H * s.W, p = s.OutH * s.OutW;
        var fullSeed = RefTensor.Random(rng, s.N, s.Cout, s.OutH, s.OutW);
        Array.Clear(fullSeed.Data);
        for (int n = 0; n < s.N; n++)
            for (int j = 0; j < keptOut.Length; j++)
                Array.Copy(seed.Data, (n * keptOut.Length + j) * p, fullSeed.Data, (n * s.Cout + keptOut[j]) * p, p);
        RefTensor[] refInputs = c.Bias ? [xMasked, w, b] : [xMasked, w];
        var expected = ConvOpTests.RefConv(s, c.Bias).Backward(refInputs, fullSeed);
        for (int i = 0; i < expected[0].Size; i++) expected[0].Data[i] *= mIn[i / plane % s.Cin];

        using var scope = new TensorScope();
        using var inSel = ChannelSelection.FromIndices(backend, keptIn, s.Cin);
        using var outSel = ChannelSelection.FromIndices(backend, keptOut, s.Cout);
        var tx = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
        var tw = Tensor.FromArray(backend, w.ToFloat(), new Shape(w.Shape));
        var tb = c.Bias ? Tensor.FromArray(backend, b.ToFloat(), new Shape(s.Cout)) : null;
        Tensor[] leaves = tb is null ? [tx, tw] : [tx, tw, tb];
        foreach (var t in leaves) t.RequiresGrad = true;
        var y = F.GatherConv2d(tx, tw, tb, inSel, outSel, s.StrideH, s.PadH);
        y.Backward(Tensor.FromArray(backend, seed.ToFloat(), y.Shape));

        string[] names = ["x", "weight", "bias"];
        for (int i = 0; i < leaves.Length; i++)
        {
            float[] grad = leaves[i].Grad!.ToArray();
            double error = Norms.RelativeError(grad, expected[i].Data);
            Assert.True(error <= Tolerance, $"{caseName} gradient of {names[i]} on {backendName}: error {error:E2}");
            for (int k = 0; k < grad.Length; k++)
                if (expected[i].Data[k] == 0) Assert.Equal(0f, grad[k]); // dropped channels: exactly zero
        }
        Assert.Equal(0, Autograd.TapeLength);
    }

    [Fact]
    public void With_no_kept_input_channel_only_the_kept_biases_get_a_gradient()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        using var inSel = ChannelSelection.FromIndices(backend, [], 3);
        using var outSel = ChannelSelection.FromIndices(backend, [2, 0], 4);
        var x = Tensor.Full(backend, new Shape(2, 3, 4, 4), 1f);
        var w = Tensor.Full(backend, new Shape(4, 3, 3, 3), 1f);
        var b = Tensor.Zeros(backend, new Shape(4));
        foreach (var t in new[] { x, w, b }) t.RequiresGrad = true;
        var y = F.GatherConv2d(x, w, b, inSel, outSel, 1, 1);
        F.SumAll(F.Mul(y, Tensor.Full(backend, y.Shape, 2f))).Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal([64f, 0f, 64f, 0f], b.Grad!.ToArray()); // 2 images × 16 pixels × 2
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    // ---- bad input: a clear error before any kernel runs ---------------------------------------

    [Theory]
    [InlineData(4, 7, "input selection picks out of 4 channels but the conv has 5 input")]
    [InlineData(5, 6, "output selection picks out of 6 channels but the conv has 7 output")]
    public void A_selection_of_the_wrong_width_is_rejected(int inWidth, int outWidth, string fragment)
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        using var inSel = ChannelSelection.FromIndices(backend, [0, 2], inWidth);
        using var outSel = ChannelSelection.FromIndices(backend, [1], outWidth);
        var x = Tensor.Zeros(backend, new Shape(2, 5, 6, 6));
        var w = Tensor.Zeros(backend, new Shape(7, 5, 3, 3));
        var e = Assert.Throws<TensorShapeException>(() => F.GatherConv2d(x, w, null, inSel, outSel, 1, 1));
        Assert.Equal("GatherConv2d", e.Op);
        Assert.Contains(fragment, e.Message);
        var extract = Assert.Throws<TensorShapeException>(() => F.ExtractCompactConv(w, null, inSel, outSel));
        Assert.Equal("ExtractCompactConv", extract.Op);
    }

    [Fact]
    public void Weight_channels_that_do_not_match_the_input_name_the_gather_op()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        using var sel = ChannelSelection.FromIndices(backend, [0], 5);
        var e = Assert.Throws<TensorShapeException>(() =>
            F.GatherConv2d(Tensor.Zeros(backend, new Shape(1, 3, 6, 6)), Tensor.Zeros(backend, new Shape(5, 5, 3, 3)), null, sel, sel));
        Assert.Equal("GatherConv2d", e.Op);
        Assert.Contains("5 input channels", e.Message);
    }

    [Fact]
    public void The_kernel_contract_checks_widths_and_the_output_length()
    {
        var b = TestBackends.Get("cpu");
        var s = new Conv2dShape(2, 5, 6, 6, 7, 3, 3, 1, 1, 1, 1);
        using var x = b.Allocate<float>((int)s.XLength);
        using var w = b.Allocate<float>((int)s.WeightLength);
        using var inSel = ChannelSelection.FromIndices(b, [4, 1], 5);
        using var outSel = ChannelSelection.FromIndices(b, [2, 0, 6], 7);
        using var wrongIn = ChannelSelection.FromIndices(b, [1], 6);
        using var y = b.Allocate<float>(s.N * 3 * s.OutH * s.OutW);
        using var shortY = b.Allocate<float>(s.N * 2 * s.OutH * s.OutW);
        Assert.Contains("GatherConv2dForward: inSel selects out of 6 channels but the conv has Cin = 5",
            Assert.Throws<ArgumentException>(() => b.GatherConv2dForward(s, x, w, null, wrongIn, outSel, y)).Message);
        Assert.Contains("GatherConv2dForward: outSel selects out of 5",
            Assert.Throws<ArgumentException>(() => b.GatherConv2dForward(s, x, w, null, inSel, inSel, y)).Message);
        Assert.Contains("GatherConv2dForward: y",
            Assert.Throws<ArgumentException>(() => b.GatherConv2dForward(s, x, w, null, inSel, outSel, shortY)).Message);
    }

    [Fact]
    public void A_selection_from_another_backend_is_rejected()
    {
        var cpu = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        using var other = new SparseCore.Kernels.Cpu.CpuBackend();
        using var foreign = ChannelSelection.FromIndices(other, [0], 3);
        using var local = ChannelSelection.FromIndices(cpu, [0], 3);
        var x = Tensor.Zeros(cpu, new Shape(1, 3, 4, 4));
        var w = Tensor.Zeros(cpu, new Shape(3, 3, 3, 3));
        Assert.Contains("GatherConv2d: the tensors live on", Assert.Throws<ArgumentException>(() => F.GatherConv2d(x, w, null, foreign, local, 1, 1)).Message);
    }

    private static double[] MaskOf(int[] kept, int width)
    {
        var m = new double[width];
        foreach (int c in kept) m[c] = 1;
        return m;
    }
}
