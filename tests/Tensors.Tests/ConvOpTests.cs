using SparseCore.Kernels.Conv;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// conv2d forward and backward (through autograd) against a double-precision reference in plain
/// loops, whose backward is itself checked by finite differences; shape errors; determinism.
/// </summary>
public class ConvOpTests
{
    /// <summary>A named conv case: kernel, stride, padding, bias; null extents take the backend's default size.</summary>
    public sealed record Case(string Name, int KH, int KW, int SH, int SW, int PH, int PW, bool Bias,
                              int? N = null, int? Cin = null, int? Cout = null, int? H = null, int? W = null)
    {
        /// <summary>CPU: N 4, 17→19 channels, 15×13; the ILGPU simulator: N 2, 3→5, 7×6 (every launch costs ms there).</summary>
        public Conv2dShape Shape(bool small) => new(
            N ?? (small ? 2 : 4), Cin ?? (small ? 3 : 17), H ?? (small ? 7 : 15), W ?? (small ? 6 : 13), Cout ?? (small ? 5 : 19),
            KH, KW, SH, SW, PH, PW);
    }

    private static readonly Case[] All =
    [
        new("3x3 s1 p1", 3, 3, 1, 1, 1, 1, Bias: true),
        new("3x3 s1 p1 nobias", 3, 3, 1, 1, 1, 1, Bias: false),
        new("3x3 s2 p1 9x11", 3, 3, 2, 2, 1, 1, Bias: true, H: 9, W: 11),
        new("1x1 s1 p0", 1, 1, 1, 1, 0, 0, Bias: true),
        new("1x1 s2 p0 nobias", 1, 1, 2, 2, 0, 0, Bias: false),
        new("5x5 s2 p0", 5, 5, 2, 2, 0, 0, Bias: false),
        new("7x7 s2 p3", 7, 7, 2, 2, 3, 3, Bias: true),
        new("1x3 s1 p(0,1)", 1, 3, 1, 1, 0, 1, Bias: true),
        new("3x1 s(2,1) p(1,0) nobias", 3, 1, 2, 1, 1, 0, Bias: false),
        new("3x3 s3 p1 10x11 nobias", 3, 3, 3, 3, 1, 1, Bias: false, H: 10, W: 11), // the divided backward-data path
        new("3x3 s1 p1 3->5", 3, 3, 1, 1, 1, 1, Bias: true, Cin: 3, Cout: 5),
        new("3x3 s2 p1 7->11 nobias", 3, 3, 2, 2, 1, 1, Bias: false, Cin: 7, Cout: 11),
        new("3x3 s1 p1 N1", 3, 3, 1, 1, 1, 1, Bias: true, N: 1),
        // K = N·OutH·OutW = 286 > 256: the ILGPU weight gradient splits K in two.
        new("3x3 s1 p1 13x11 splitK", 3, 3, 1, 1, 1, 1, Bias: true, N: 2, Cin: 3, Cout: 5, H: 13, W: 11),
    ];

    private static Case Named(string name) => All.Single(c => c.Name == name);

    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from c in All select new object[] { b, c.Name };

    public static IEnumerable<object[]> Cases() => All.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backendName, string caseName)
    {
        var backend = TestBackends.Get(backendName);
        var c = Named(caseName);
        var s = c.Shape(TestBackends.IsSlow(backendName));
        var rng = new System.Random(StableSeed.Of(caseName));
        var inputs = Inputs(rng, s, c.Bias);
        var op = RefConv(s, c.Bias);
        var expected = op.Forward(inputs);
        var seed = RefTensor.Random(rng, expected.Shape);
        var expectedGrads = op.Backward(inputs, seed);

        using var scope = new TensorScope();
        var ts = inputs.Select(x =>
        {
            var t = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
            t.RequiresGrad = true;
            return t;
        }).ToArray();
        var y = F.Conv2d(ts[0], ts[1], c.Bias ? ts[2] : null, s.StrideH, s.StrideW, s.PadH, s.PadW);
        Assert.Equal(new Shape(expected.Shape), y.Shape);
        double forwardError = Norms.RelativeError(y.ToArray(), expected.Data);
        Assert.True(forwardError <= 1e-5, $"{caseName} forward on {backendName}: error {forwardError:E2}");

        y.Backward(Tensor.FromArray(backend, seed.ToFloat(), y.Shape));
        string[] names = ["x", "weight", "bias"];
        for (int i = 0; i < ts.Length; i++)
        {
            Assert.NotNull(ts[i].Grad);
            double gradError = Norms.RelativeError(ts[i].Grad!.ToArray(), expectedGrads[i].Data);
            Assert.True(gradError <= 1e-5, $"{caseName} gradient of {names[i]} on {backendName}: error {gradError:E2}");
        }
        Assert.Equal(0, Autograd.TapeLength);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string caseName)
    {
        var c = Named(caseName);
        var s = c.Shape(small: true);
        var inputs = Inputs(new System.Random(3), s, c.Bias);
        double error = GradCheck.MaxError(RefConv(s, c.Bias), inputs);
        Assert.True(error < 1e-6, $"{caseName}: reference backward differs from finite differences by {error:E2}");
    }

    [Fact]
    public void A_backward_off_by_one_percent_fails_the_check()
    {
        var s = Named("3x3 s2 p1 9x11").Shape(small: true);
        double error = GradCheck.MaxError(RefConv(s, bias: true).WithScaledBackward(1.01), Inputs(new System.Random(3), s, bias: true));
        Assert.True(error > 1e-3, $"a gradient scaled by 1.01 passed the check (error {error:E2})");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Weight_gradient_is_bit_identical_run_after_run(string backendName)
    {
        // On the CPU large enough that every per-image GEMM runs on the whole team; tiny on the simulator (split-K there).
        var backend = TestBackends.Get(backendName);
        var s = TestBackends.IsSlow(backendName) ? new Conv2dShape(2, 3, 13, 11, 5, 3, 3, 1, 1, 1, 1)
                                                 : new Conv2dShape(8, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1);
        var rng = new System.Random(5);
        using var x = backend.Allocate<float>((int)s.XLength);
        using var dy = backend.Allocate<float>((int)s.YLength);
        backend.Upload<float>(RefTensor.Random(rng, (int)s.XLength).ToFloat(), x);
        backend.Upload<float>(RefTensor.Random(rng, (int)s.YLength).ToFloat(), dy);
        float[] Run()
        {
            using var dw = backend.Allocate<float>((int)s.WeightLength);
            using var db = backend.Allocate<float>(s.Cout);
            backend.Conv2dBackwardWeights(s, x, dy, dw, db);
            return [.. backend.ToArray(dw), .. backend.ToArray(db)];
        }
        Assert.Equal(Run(), Run());
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    // ---- bad input: a clear error before any kernel runs ---------------------------------------

    [Fact]
    public void Weight_channels_that_do_not_match_the_input_are_rejected()
    {
        var b = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Zeros(b, new Shape(2, 3, 8, 8));
        var w = Tensor.Zeros(b, new Shape(4, 5, 3, 3));
        var e = Assert.Throws<TensorShapeException>(() => F.Conv2d(x, w, null, 1, 1));
        Assert.Equal("Conv2d", e.Op);
        Assert.Contains("5 input channels", e.Message);
        Assert.Contains("3 channels", e.Message);
    }

    [Theory]
    [InlineData(2, 3, 4, 4, 4, 3, 7, 7, 1, 1, "does not fit")]      // 7×7 on an unpadded 4×4 input
    [InlineData(2, 3, 8, 8, 4, 3, 9, 9, 1, 4, "outside 1×1")]      // kernel above 7×7
    [InlineData(2, 3, 8, 8, 4, 3, 3, 3, 0, 1, "stride")]
    [InlineData(2, 3, 8, 8, 4, 3, 3, 3, 1, -1, "padding")]
    public void Bad_geometry_is_rejected(int n, int c, int h, int w, int cout, int cin, int kh, int kw, int stride, int pad, string fragment)
    {
        var b = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Zeros(b, new Shape(n, c, h, w));
        var wt = Tensor.Zeros(b, new Shape(cout, cin, kh, kw));
        var e = Assert.Throws<TensorShapeException>(() => F.Conv2d(x, wt, null, stride, pad));
        Assert.Equal("Conv2d", e.Op);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Bias_of_the_wrong_length_and_non_4d_input_are_rejected()
    {
        var b = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Zeros(b, new Shape(2, 3, 8, 8));
        var w = Tensor.Zeros(b, new Shape(4, 3, 3, 3));
        Assert.Contains("bias", Assert.Throws<TensorShapeException>(() => F.Conv2d(x, w, Tensor.Zeros(b, new Shape(5)), 1, 1)).Message);
        Assert.Equal("Conv2d", Assert.Throws<TensorShapeException>(() => F.Conv2d(Tensor.Zeros(b, new Shape(3, 8, 8)), w, null)).Op);
    }

    [Fact]
    public void The_kernel_contract_names_the_op_and_the_short_operand()
    {
        var b = TestBackends.Get("cpu");
        var s = new Conv2dShape(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1);
        using var x = b.Allocate<float>((int)s.XLength);
        using var w = b.Allocate<float>((int)s.WeightLength - 1);
        using var y = b.Allocate<float>((int)s.YLength);
        var e = Assert.Throws<ArgumentException>(() => b.Conv2dForward(s, x, w, null, y));
        Assert.Contains("Conv2dForward: w has", e.Message);
        using var dw = b.Allocate<float>((int)s.WeightLength);
        using var shortBias = b.Allocate<float>(3);
        Assert.Contains("Conv2dBackwardWeights: dbias", Assert.Throws<ArgumentException>(() => b.Conv2dBackwardWeights(s, x, y, dw, shortBias)).Message);
        var bad = s with { KH = 11 };
        Assert.Contains("Conv2dBackwardData: KH = 11", Assert.Throws<ArgumentException>(() => b.Conv2dBackwardData(bad, y, w, x)).Message);
    }

    // ---- the double reference -----------------------------------------------------------------

    private static RefTensor[] Inputs(System.Random rng, Conv2dShape s, bool bias)
    {
        var x = RefTensor.Random(rng, s.N, s.Cin, s.H, s.W);
        var w = RefTensor.Random(rng, s.Cout, s.Cin, s.KH, s.KW);
        return bias ? [x, w, RefTensor.Random(rng, s.Cout)] : [x, w];
    }

    /// <summary>y[n, co, oh, ow] = b[co] + Σ_{ci, r, q} w[co, ci, r, q]·x[n, ci, oh·sh − ph + r, ow·sw − pw + q] (0 outside x).</summary>
    public static RefOp RefConv(Conv2dShape s, bool bias) => new("Conv2d",
        xs =>
        {
            var y = new double[s.YLength];
            Taps(s, (yi, xi, wi, co) => y[yi] += xs[1].Data[wi] * xs[0].Data[xi]);
            if (bias)
                for (int i = 0; i < y.Length; i++) y[i] += xs[2].Data[i / (s.OutH * s.OutW) % s.Cout];
            return new RefTensor(y, [s.N, s.Cout, s.OutH, s.OutW]);
        },
        (xs, g) =>
        {
            var dx = new double[s.XLength];
            var dw = new double[s.WeightLength];
            Taps(s, (yi, xi, wi, co) =>
            {
                dx[xi] += g.Data[yi] * xs[1].Data[wi];
                dw[wi] += g.Data[yi] * xs[0].Data[xi];
            });
            RefTensor[] grads = [new RefTensor(dx, xs[0].Shape), new RefTensor(dw, xs[1].Shape)];
            if (!bias) return grads;
            var db = new double[s.Cout];
            for (int i = 0; i < g.Size; i++) db[i / (s.OutH * s.OutW) % s.Cout] += g.Data[i];
            return [.. grads, new RefTensor(db, xs[2].Shape)];
        });

    /// <summary>Calls visit(y index, x index, w index, co) for every multiply-add inside the input.</summary>
    private static void Taps(Conv2dShape s, Action<int, int, int, int> visit)
    {
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int oh = 0; oh < s.OutH; oh++)
                    for (int ow = 0; ow < s.OutW; ow++)
                    {
                        int yi = ((n * s.Cout + co) * s.OutH + oh) * s.OutW + ow;
                        for (int ci = 0; ci < s.Cin; ci++)
                            for (int r = 0; r < s.KH; r++)
                            {
                                int ih = oh * s.StrideH - s.PadH + r;
                                if (ih < 0 || ih >= s.H) continue;
                                for (int q = 0; q < s.KW; q++)
                                {
                                    int iw = ow * s.StrideW - s.PadW + q;
                                    if (iw < 0 || iw >= s.W) continue;
                                    visit(yi, ((n * s.Cin + ci) * s.H + ih) * s.W + iw, ((co * s.Cin + ci) * s.KH + r) * s.KW + q, co);
                                }
                            }
                    }
    }
}
