using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The CPU conv's stride-1 gradient paths against a double reference: the weight gradient summed
/// over the shifted layout's wide positions (CpuShiftedWeightGrad) and the data gradient run as
/// the forward of the flipped, transposed weights (CpuConv.TransposedForward). Shapes cover output
/// rows and taps that are not multiples of the 4 × 6 tile, groups with a short last one, more than
/// one 1024-position block, borders of 0 up to KH − 1, non-square kernels, and outputs small enough
/// (under 32 pixels) for the data gradient to batch images into one GEMM (CpuBatchedConv) — and
/// channels enough for the data gradient to take the lane form (CpuLaneConv), which goes first.
/// </summary>
public class ConvGradientPathTests
{
    public static TheoryData<string> Shapes() => new(Cases.Keys);

    private static readonly Dictionary<string, Conv2dShape> Cases = new()
    {
        ["3x3 p1, 7 outputs, 45 taps"] = new(7, 5, 13, 11, 7, 3, 3, 1, 1, 1, 1),
        ["3x3 p1, 37 small images in groups"] = new(37, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1),
        ["3x3 p1, 40x40: several position blocks"] = new(3, 2, 40, 40, 6, 3, 3, 1, 1, 1, 1),
        ["5x5 p2, one output"] = new(4, 3, 7, 6, 1, 5, 5, 1, 1, 2, 2),
        ["5x5 p0 valid"] = new(4, 3, 13, 10, 9, 5, 5, 1, 1, 0, 0),
        ["1x3 p(0,1)"] = new(3, 6, 5, 17, 10, 1, 3, 1, 1, 0, 1),
        ["3x3 p1, 300 channels: a group of 2"] = new(5, 300, 9, 9, 3, 3, 3, 1, 1, 1, 1),
        ["3x3 s2 p1, odd 15x13 in phases"] = new(6, 5, 15, 13, 7, 3, 3, 2, 2, 1, 1),
        ["5x5 s(2,3) p2"] = new(4, 3, 11, 14, 5, 5, 5, 2, 3, 2, 2),
        ["5x5 s2 p2, 37 wide: even border, 16 + 8 + 5 split"] = new(3, 4, 12, 37, 6, 5, 5, 2, 2, 2, 2),
        ["3x3 p1 4x4 outputs, 37 images: batched groups of 32 and 5"] = new(37, 6, 4, 4, 7, 3, 3, 1, 1, 1, 1),
        ["3x3 s2 p1 7x7 to 4x4: batched"] = new(3, 5, 7, 7, 4, 3, 3, 2, 2, 1, 1),
        [LaneAt7] = new(6, 40, 7, 7, 13, 3, 3, 1, 1, 1, 1),
        [LaneAt4] = new(6, 64, 4, 4, 9, 3, 3, 1, 1, 1, 1),
    };

    private const string LaneAt7 = "3x3 p1 7x7, 40 in: the lane form, panels 24 + 16";
    private const string LaneAt4 = "3x3 p1 4x4, 64 in: the lane form before the batched one";

    [Fact]
    public void The_lane_cases_take_the_lane_form()
    {
        if (!Avx512F.IsSupported) return;
        Assert.True(CpuLaneConv.Prefers(CpuConv.TransposedForward(Cases[LaneAt7])!.Value));
        Assert.True(CpuLaneConv.Prefers(CpuConv.TransposedForward(Cases[LaneAt4])!.Value));
        Assert.True(CpuBatchedConv.Prefers(Cases[LaneAt4]));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shifted_weight_gradient_matches_the_double_reference(string name)
    {
        var s = Cases[name];
        if (!Avx512F.IsSupported)
        {
            Assert.False(CpuShiftedWeightGrad.Fits(s));
            return;
        }
        var random = new System.Random(name.Length);
        float[] x = Random(random, s.XLength), dy = Random(random, s.YLength);
        var dw = new float[s.WeightLength];
        CpuShiftedWeightGrad.Run(s, x, dy, dw);
        var expected = WeightGradient(s, x, dy);
        Assert.True(RelativeError(dw, expected) <= 1e-5, $"normwise error {RelativeError(dw, expected):E2}");
        // The check can fail: a gradient that drops one tap's contribution of one image is caught.
        var wrong = WeightGradient(s, x, dy, skipImage: s.N - 1);
        Assert.True(RelativeError(wrong, expected) > 1e-3, "the reference check would not notice a missing image");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Lane_weight_gradient_matches_the_double_reference(string name) => CheckLaneWeightGradient(Cases[name]);

    [Theory]
    [InlineData(3, 5, 7, 70, 1)]    // 64 + 16 panels
    [InlineData(4, 6, 5, 40, 1)]    // one 40 panel, a tile of 8 input channels cut to 6
    [InlineData(70, 3, 4, 33, 1)]   // chunks of 64 and 6 images, 33 outputs as one 40 panel
    [InlineData(3, 11, 5, 23, 1)]   // one 24 panel, a tile of 12 input channels cut to 11
    [InlineData(3, 9, 5, 104, 1)]   // 64 + 40 panels, tiles of 6 and 8 input channels
    [InlineData(3, 11, 5, 45, 2)]   // one 48 panel, strided, tiles of 8 input channels, the second cut to 3
    [InlineData(5, 29, 9, 32, 2)]   // stride 2, 29 input channels: a tile of 12 cut short
    public void Lane_weight_gradient_matches_the_double_reference_for_each_panel_width(int n, int cin, int side, int cout, int stride) =>
        CheckLaneWeightGradient(new Conv2dShape(n, cin, side, side, cout, 3, 3, stride, stride, 1, 1));

    [Fact]
    public void The_lane_weight_gradient_takes_wide_layers_with_a_spatial_kernel_and_small_outputs()
    {
        if (!Avx512F.IsSupported) return;
        Assert.True(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 64, 28, 28, 128, 3, 3, 2, 2, 1, 1)));
        Assert.False(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 64, 28, 28, 64, 3, 3, 1, 1, 1, 1)));   // 28×28 outputs
        Assert.True(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 256, 7, 7, 512, 3, 3, 2, 2, 1, 1)));
        Assert.True(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1)));
        Assert.False(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 32, 14, 14, 64, 3, 3, 2, 2, 1, 1)));  // 32 in
        Assert.False(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 64, 28, 28, 32, 3, 3, 1, 1, 1, 1)));  // 32 out
        Assert.False(CpuLaneWeightGrad.Prefers(new Conv2dShape(32, 256, 7, 7, 512, 1, 1, 2, 2, 0, 0)));  // 1×1
    }

    private static void CheckLaneWeightGradient(in Conv2dShape s)
    {
        if (!Avx512F.IsSupported)
        {
            Assert.False(CpuLaneWeightGrad.Fits(s));
            return;
        }
        var random = new System.Random(s.Cin * 31 + s.Cout);
        float[] x = Random(random, s.XLength), dy = Random(random, s.YLength);
        var dw = new float[s.WeightLength];
        Array.Fill(dw, float.NaN);
        CpuLaneWeightGrad.Run(s, x, dy, dw);
        var expected = WeightGradient(s, x, dy);
        Assert.True(RelativeError(dw, expected) <= 1e-5, $"normwise error {RelativeError(dw, expected):E2}");
        var again = new float[s.WeightLength];
        CpuLaneWeightGrad.Run(s, x, dy, again);
        Assert.Equal(dw, again);
    }

    [Theory]
    [InlineData(4, 13, 28, 28, 19, 3, 2, 1)]    // even image: phase rows 15 and 14, the first of 15 not an input row
    [InlineData(3, 11, 7, 9, 24, 3, 2, 1)]      // odd image: phases of 4 and 3 rows
    [InlineData(3, 6, 8, 8, 33, 3, 2, 0)]       // unpadded: row and column 7 past the last window, cleared
    [InlineData(2, 5, 11, 14, 17, 5, 2, 2)]     // 5×5: phase kernels of 3 and 2 taps a side
    [InlineData(2, 7, 9, 10, 12, 3, 3, 1)]      // stride 3: three phases a side, one tap each
    public void Stride_phase_data_gradient_matches_the_double_reference(int n, int cin, int h, int w, int cout, int k, int stride, int pad)
    {
        if (!Avx512F.IsSupported) return;
        var s = new Conv2dShape(n, cin, h, w, cout, k, k, stride, stride, pad, pad);
        var random = new System.Random(n * 13 + cin);
        float[] weights = Random(random, s.WeightLength), dy = Random(random, s.YLength);
        var dx = new float[s.XLength];
        Array.Fill(dx, float.NaN);
        StridePhases.DataGradient(s, dy, weights, dx);
        var expected = DataGradient(s, weights, dy);
        Assert.True(RelativeError(dx, expected) <= 1e-5, $"normwise error {RelativeError(dx, expected):E2}");
    }

    [Fact]
    public void Stride_phases_refuse_a_stride_wider_than_the_kernel_by_name()
    {
        var s = new Conv2dShape(2, 4, 8, 8, 6, 1, 1, 2, 2, 0, 0);
        var e = Assert.Throws<ArgumentException>(() => StridePhases.DataGradient(s, new float[s.YLength], new float[s.WeightLength], new float[s.XLength]));
        Assert.Contains("stride phases", e.Message);
        Assert.False(StridePhases.Prefers(s));
        Assert.True(StridePhases.Prefers(new Conv2dShape(32, 64, 28, 28, 128, 3, 3, 2, 2, 1, 1)));
        Assert.False(StridePhases.Prefers(new Conv2dShape(32, 16, 28, 28, 32, 3, 3, 2, 2, 1, 1)));   // 16 outputs: one 16-lane panel
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Transposed_data_gradient_matches_the_double_reference(string name)
    {
        var s = Cases[name];
        using var backend = new CpuBackend();
        var random = new System.Random(name.Length + 1);
        float[] w = Random(random, s.WeightLength), dy = Random(random, s.YLength);
        using var wb = backend.Allocate<float>((int)s.WeightLength);
        using var dyb = backend.Allocate<float>((int)s.YLength);
        using var dxb = backend.Allocate<float>((int)s.XLength);
        backend.Upload<float>(w, wb); backend.Upload<float>(dy, dyb);
        backend.Conv2dBackwardData(s, dyb, wb, dxb);
        var expected = DataGradient(s, w, dy);
        double error = RelativeError(backend.ToArray(dxb), expected);
        Assert.True(error <= 1e-5, $"normwise error {error:E2}");
        Assert.Equal(s.StrideH == 1 && s.StrideW == 1, CpuConv.TransposedForward(s) is not null);
    }

    [Theory]
    [InlineData(37, 5, 4, 130, 3, 1)]   // groups of 32 and 5 images
    [InlineData(3, 6, 7, 129, 3, 2)]    // stride 2 to 4×4
    [InlineData(4, 7, 7, 128, 1, 2)]    // 1×1 stride 2
    public void Batched_forward_with_its_epilogue_matches_the_double_reference(int n, int cin, int side, int cout, int kernel, int stride)
    {
        var s = new Conv2dShape(n, cin, side, side, cout, kernel, kernel, stride, stride, kernel / 2, kernel / 2);
        Assert.True(CpuBatchedConv.PrefersForward(s));
        using var backend = new CpuBackend();
        var random = new System.Random(n * 31 + cout);
        float[] x = Random(random, s.XLength), w = Random(random, s.WeightLength), bias = Random(random, s.Cout), residual = Random(random, s.YLength);
        using var xb = backend.Allocate<float>((int)s.XLength);
        using var wb = backend.Allocate<float>((int)s.WeightLength);
        using var bb = backend.Allocate<float>(s.Cout);
        using var rb = backend.Allocate<float>((int)s.YLength);
        using var yb = backend.Allocate<float>((int)s.YLength);
        backend.Upload<float>(x, xb); backend.Upload<float>(w, wb); backend.Upload<float>(bias, bb); backend.Upload<float>(residual, rb);
        backend.Conv2dForward(s, xb, wb, bb, yb, new ConvEpilogue(rb, Relu: true));
        var expected = new double[s.YLength];
        ForEachImageTap(s, (xi, yi, wi) => expected[yi] += (double)x[xi] * w[wi]);
        int p = s.OutH * s.OutW;
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Max(0, expected[i] + bias[i / p % s.Cout] + residual[i]);
        double error = RelativeError(backend.ToArray(yb), expected);
        Assert.True(error <= 1e-5, $"normwise error {error:E2}");
        Assert.False(CpuBatchedConv.PrefersForward(s with { Cout = 64 })); // narrow layers keep the implicit paths
    }

    [Theory]
    [InlineData(3, 7, 5, 5, 9, 1)]     // one group
    [InlineData(45, 5, 6, 5, 11, 1)]   // 30 pixels an image: groups of 35 and 10
    [InlineData(70, 3, 7, 7, 6, 2)]    // stride 2 to 4×4: groups of 64 and 6
    public void The_one_lane_weight_gradient_matches_the_double_reference(int n, int cin, int h, int w, int cout, int stride)
    {
        var s = new Conv2dShape(n, cin, h, w, cout, 3, 3, stride, stride, 1, 1);
        var random = new System.Random(n + cin);
        float[] x = Random(random, s.XLength), dy = Random(random, s.YLength);
        var dw = new float[s.WeightLength];
        CpuConvWeightGrad.Run(s, x, dy, dw, deep: true);
        var expected = WeightGradient(s, x, dy);
        Assert.True(RelativeError(dw, expected) <= 1e-5, $"normwise error {RelativeError(dw, expected):E2}");
        // The rule: one lane only where the weight gradient is large (ResNet-18's 256- and 512-channel layers), never for small layers.
        Assert.False(CpuConvWeightGrad.Deep(s));
        Assert.True(CpuConvWeightGrad.Deep(new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuConvWeightGrad.Deep(new Conv2dShape(32, 256, 7, 7, 256, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuConvWeightGrad.Deep(new Conv2dShape(32, 128, 14, 14, 256, 3, 3, 2, 2, 1, 1)));
        Assert.False(CpuConvWeightGrad.Deep(new Conv2dShape(32, 128, 14, 14, 128, 3, 3, 1, 1, 1, 1)));
    }

    [Fact]
    public void The_weight_gradient_cost_rule_keeps_small_images_and_large_weight_gradients_on_the_gemm()
    {
        if (!Avx512F.IsSupported) return;
        Assert.True(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1)));    // 64 wide positions for 49
        Assert.True(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 32, 14, 14, 64, 3, 3, 2, 2, 1, 1)));  // 288 taps, stride 2
        Assert.False(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1))); // 25 for 16
        Assert.True(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 64, 28, 28, 128, 3, 3, 2, 2, 1, 1)));  // 576 taps, stride 2
        Assert.False(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 256, 7, 7, 256, 3, 3, 1, 1, 1, 1)));  // the one-lane GEMM's
        Assert.False(CpuShiftedWeightGrad.Prefers(new Conv2dShape(32, 128, 14, 14, 256, 3, 3, 2, 2, 1, 1))); // the one-lane GEMM's
    }

    [Fact]
    public void Strided_and_pointwise_convs_keep_the_patch_matrix_data_gradient()
    {
        Assert.Null(CpuConv.TransposedForward(new Conv2dShape(2, 3, 9, 9, 4, 3, 3, 2, 2, 1, 1)));
        Assert.Null(CpuConv.TransposedForward(new Conv2dShape(2, 3, 9, 9, 4, 1, 1, 1, 1, 0, 0)));
        Assert.Equal(new Conv2dShape(2, 4, 9, 9, 3, 3, 3, 1, 1, 1, 1), CpuConv.TransposedForward(new Conv2dShape(2, 3, 9, 9, 4, 3, 3, 1, 1, 1, 1)));
    }

    /// <summary>
    /// The gradient forms this file's references check are tied to the forward itself: with
    /// L = Σ dy · conv(x, w), a central difference of L computed in double at a few sampled weights
    /// and inputs against the lane weight gradient (a 40-lane panel), the lane data gradient (one 48
    /// panel) and the stride-phase data gradient. L is linear in each, so the difference is the
    /// gradient up to the double forward's rounding, whatever formula the reference uses.
    /// </summary>
    [Fact]
    public void The_lane_and_stride_phase_gradients_match_central_differences_of_the_forward()
    {
        if (!Avx512F.IsSupported) return;
        var random = new System.Random(17);
        var unit = new Conv2dShape(12, 11, 7, 7, 40, 3, 3, 1, 1, 1, 1);   // two chunks of images (10 and 2)
        float[] x = Random(random, unit.XLength), w = Random(random, unit.WeightLength), dy = Random(random, unit.YLength);
        var dw = new float[unit.WeightLength];
        CpuLaneWeightGrad.Run(unit, x, dy, dw);
        CheckAgainstDifferences(dw, w, random, perturbed => Loss(unit, x, perturbed, dy), "lane weight gradient");

        var wide = new Conv2dShape(2, 45, 7, 7, 13, 3, 3, 1, 1, 1, 1);   // its transposed forward: 45 outputs, one 48 panel
        float[] xw = Random(random, wide.XLength), ww = Random(random, wide.WeightLength), dyw = Random(random, wide.YLength);
        var dx = new float[wide.XLength];
        CpuLaneConv.DataGradient(wide, dyw, ww, dx);
        CheckAgainstDifferences(dx, xw, random, perturbed => Loss(wide, perturbed, ww, dyw), "lane data gradient");

        var strided = new Conv2dShape(2, 13, 14, 14, 19, 3, 3, 2, 2, 1, 1);
        float[] xs = Random(random, strided.XLength), ws = Random(random, strided.WeightLength), dys = Random(random, strided.YLength);
        var dxs = new float[strided.XLength];
        StridePhases.DataGradient(strided, dys, ws, dxs);
        CheckAgainstDifferences(dxs, xs, random, perturbed => Loss(strided, perturbed, ws, dys), "stride-phase data gradient");
    }

    /// <summary>L = Σ dy · conv(x, w), in double.</summary>
    private static double Loss(in Conv2dShape s, float[] x, float[] w, float[] dy)
    {
        var y = ImplicitConvPathTests.Reference(s, x, w, null, null, null);
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += y[i] * dy[i];
        return sum;
    }

    /// <summary>Twelve sampled coordinates j of <paramref name="at"/>: (L(at + h·e_j) − L(at − h·e_j)) / (the perturbation's actual width) against gradient[j].</summary>
    private static void CheckAgainstDifferences(float[] gradient, float[] at, System.Random random, Func<float[], double> loss, string what)
    {
        const float h = 0.05f;
        var sampled = new double[12];
        var differences = new double[12];
        for (int i = 0; i < sampled.Length; i++)
        {
            int j = random.Next(at.Length);
            float original = at[j], up = original + h, down = original - h;
            at[j] = up;
            double above = loss(at);
            at[j] = down;
            double below = loss(at);
            at[j] = original;
            differences[i] = (above - below) / ((double)up - down);
            sampled[i] = gradient[j];
        }
        double error = RelativeError(sampled, differences);
        Assert.True(error <= 1e-5, $"{what}: normwise error {error:E2} against central differences");
    }

    private static double[] WeightGradient(in Conv2dShape s, float[] x, float[] dy, int skipImage = -1)
    {
        var dw = new double[s.WeightLength];
        for (int n = 0; n < s.N; n++)
        {
            if (n == skipImage) continue;
            ForEachTap(s, n, (xi, yi, wi) => dw[wi] += (double)dy[yi] * x[xi]);
        }
        return dw;
    }

    private static double[] DataGradient(in Conv2dShape s, float[] w, float[] dy)
    {
        var dx = new double[s.XLength];
        for (int n = 0; n < s.N; n++) ForEachTap(s, n, (xi, yi, wi) => dx[xi] += (double)dy[yi] * w[wi]);
        return dx;
    }

    private static void ForEachImageTap(Conv2dShape s, Action<long, long, long> visit)
    {
        for (int n = 0; n < s.N; n++) ForEachTap(s, n, visit);
    }

    /// <summary>Calls visit(x index, y index, w index) for every multiply of image n's forward.</summary>
    private static void ForEachTap(Conv2dShape s, int n, Action<long, long, long> visit)
    {
        for (int co = 0; co < s.Cout; co++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int ci = 0; ci < s.Cin; ci++)
                        for (int r = 0; r < s.KH; r++)
                            for (int t = 0; t < s.KW; t++)
                            {
                                int ih = oh * s.StrideH - s.PadH + r, iw = ow * s.StrideW - s.PadW + t;
                                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                visit(((long)(n * s.Cin + ci) * s.H + ih) * s.W + iw,
                                      ((long)(n * s.Cout + co) * s.OutH + oh) * s.OutW + ow,
                                      ((co * s.Cin + ci) * s.KH + r) * s.KW + t);
                            }
    }

    private static float[] Random(System.Random random, long n) =>
        Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static double RelativeError(IReadOnlyList<float> actual, double[] expected) =>
        RelativeError(actual.Select(v => (double)v).ToArray(), expected);

    private static double RelativeError(double[] actual, double[] expected)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++) { diff += (actual[i] - expected[i]) * (actual[i] - expected[i]); norm += expected[i] * expected[i]; }
        return Math.Sqrt(diff / Math.Max(norm, 1e-300));
    }
}
