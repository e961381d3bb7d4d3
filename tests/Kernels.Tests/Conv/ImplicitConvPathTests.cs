using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The two forms of the CPU's implicit conv forward — patches packed per 64 pixels, and the
/// shifted form reading stacked zero-bordered images in place — against a double reference, with
/// kept index lists (unsorted), with and without bias, and against each other bit for bit.
/// </summary>
public class ImplicitConvPathTests
{
    public static TheoryData<string> Shapes() => new(Cases.Keys);

    // Odd sizes; several images per stacked group (5 images over 2 threads); groups capped by their
    // bytes (8 channels at 26×26: 2 images a group, 5 a thread, so a short last group after a full one);
    // borders of 0 up to KH − 1; non-square kernels; last row panels of 1 to 6 rows.
    private static readonly Dictionary<string, (Conv2dShape Shape, bool Bias, double InRatio, double OutRatio)> Cases = new()
    {
        ["3x3 p1 5 images"] = (new(5, 7, 9, 11, 13, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 kept 4 of 7 in, 5 of 13 out"] = (new(5, 7, 9, 11, 13, 3, 3, 1, 1, 1, 1), false, 0.6, 0.4),
        ["5x5 p2 one kept output"] = (new(3, 5, 7, 6, 9, 5, 5, 1, 1, 2, 2), true, 0.8, 0.1),
        ["5x5 p0 valid, 9 outputs"] = (new(4, 3, 13, 10, 9, 5, 5, 1, 1, 0, 0), true, 1.0, 1.0),
        ["1x3 p(0,1), 10 outputs"] = (new(3, 6, 5, 17, 10, 1, 3, 1, 1, 0, 1), false, 1.0, 1.0),
        ["7x7 p3 wide"] = (new(2, 3, 9, 70, 11, 7, 7, 1, 1, 3, 3), true, 1.0, 0.5),
        ["3x3 p1 300 channels: an image a group"] = (new(10, 300, 17, 17, 7, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 8 channels at 26x26: groups of 2 and a short last group"] = (new(10, 8, 26, 26, 7, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 one image: tiles shared by the team"] = (new(1, 5, 23, 21, 7, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p1 odd 15x13, phases"] = (new(5, 7, 15, 13, 9, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p1 even 28x28, kept 5 of 9 out"] = (new(3, 4, 28, 28, 9, 3, 3, 2, 2, 1, 1), false, 0.6, 0.6),
        ["5x5 s(2,3) p2, phases of unequal stride"] = (new(4, 3, 11, 14, 5, 5, 5, 2, 3, 2, 2), true, 1.0, 1.0),
        ["3x3 s2 p1 rows of 73: four 16-float splits, one more from 56 and the odd last float"] = (new(3, 4, 9, 73, 6, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p0 rows of 32: two splits, none overlapping"] = (new(3, 5, 10, 32, 7, 3, 3, 2, 2, 0, 0), false, 1.0, 1.0),
        ["3x3 s2 p1 rows of 17: a split overlapping by 15 and the odd last float"] = (new(4, 3, 12, 17, 5, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p1 rows of 14: two 8-float splits overlapping by 2"] = (new(4, 5, 14, 14, 7, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p0 rows of 11: 8-float splits and the odd last float"] = (new(3, 4, 9, 11, 6, 3, 3, 2, 2, 0, 0), false, 1.0, 1.0),
        ["3x3 s2 p1 rows of 5: float by float"] = (new(6, 3, 7, 5, 6, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 70x70: a group past the tile writer's piece table"] = (new(2, 2, 70, 70, 5, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 7 outputs: shifted panels 4 + 3"] = (new(4, 5, 10, 9, 7, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 31 outputs: shifted panels 6 × 4 + 4 + 3"] = (new(3, 6, 8, 11, 31, 3, 3, 1, 1, 1, 1), false, 1.0, 1.0),
        ["3x3 p1 one image, 13 outputs: shared tiles, panels 6 + 4 + 3"] = (new(1, 4, 12, 13, 13, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 p1 23 channels at 14x14, 27 images: groups of 2 fitted to the tiles, a short last one"] = (new(27, 23, 14, 14, 11, 3, 3, 1, 1, 1, 1), true, 1.0, 1.0),
        ["3x3 s2 p1 13 channels 28x28 to 14x14, 17 images: groups of 2 past the byte budget"] = (new(17, 13, 28, 28, 19, 3, 3, 2, 2, 1, 1), true, 1.0, 1.0),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shifted_and_packed_match_the_reference_and_each_other(string name)
    {
        var (s, withBias, inRatio, outRatio) = Cases[name];
        if (!Avx512F.IsSupported)
        {
            Assert.False(CpuShiftedConv.Fits(s));
            return;
        }
        var random = new System.Random(name.Length);
        float[] x = Random(random, s.XLength), w = Random(random, s.WeightLength);
        float[]? bias = withBias ? Random(random, s.Cout) : null;
        int[]? keptIn = inRatio < 1 ? Kept(random, s.Cin, inRatio) : null;
        int[]? keptOut = outRatio < 1 ? Kept(random, s.Cout, outRatio) : null;
        int m = keptOut?.Length ?? s.Cout, p = s.OutH * s.OutW;
        var shifted = new float[s.N * m * p];
        var packed = new float[s.N * m * p];

        CpuImplicitConv.Forward(s, x, w, bias, shifted, keptIn, keptOut, ImplicitConvPath.Shifted);
        CpuImplicitConv.Forward(s, x, w, bias, packed, keptIn, keptOut, ImplicitConvPath.Packed);

        var expected = Reference(s, x, w, bias, keptIn, keptOut);
        Assert.True(RelativeError(shifted, expected) <= 1e-5, $"shifted: normwise error {RelativeError(shifted, expected):E2}");
        Assert.True(RelativeError(packed, expected) <= 1e-5, $"packed: normwise error {RelativeError(packed, expected):E2}");
        Assert.Equal(packed, shifted);
    }

    // The tile writer's cases: tiles spanning up to three images (4×4 outputs: 25 wide positions an
    // image), an image period of exactly one tile (7×7), images that touch (no padding), one image's
    // tiles shared by the team, stride phases — each with the epilogue's variants.
    public static TheoryData<int, int, int, int, int, int, int, bool, bool, bool> ScatterCases() => new()
    {
        { 7, 6, 4, 4, 9, 1, 1, true, true, true },
        { 5, 5, 7, 7, 11, 1, 1, false, true, false },
        { 3, 4, 14, 13, 7, 1, 1, true, false, true },
        { 4, 3, 9, 9, 5, 1, 0, false, true, true },
        { 1, 5, 23, 21, 8, 1, 1, true, true, false },
        { 5, 7, 15, 13, 9, 2, 1, false, false, true },
        { 9, 4, 2, 2, 7, 1, 1, true, true, true },     // 9 wide positions an image: a 16-lane vector over three images
        { 21, 3, 1, 1, 13, 1, 1, true, true, false },  // 4 an image: a vector over five
        { 1, 5, 3, 2, 8, 1, 1, false, true, true },    // one 3×2 image: tiles shared by the team, 12 wide positions
    };

    [Theory]
    [MemberData(nameof(ScatterCases))]
    public void The_shifted_path_writes_every_output_once_with_bias_residual_and_relu(int n, int cin, int h, int w, int cout, int stride, int pad,
                                                                                       bool withBias, bool withResidual, bool relu)
    {
        if (!Avx512F.IsSupported) return;
        var s = new Conv2dShape(n, cin, h, w, cout, 3, 3, stride, stride, pad, pad);
        var random = new System.Random(n * 7 + h);
        float[] x = Random(random, s.XLength), weights = Random(random, s.WeightLength), residual = Random(random, s.YLength);
        float[]? bias = withBias ? Random(random, s.Cout) : null;
        int[] keptOut = Kept(random, s.Cout, 0.6);
        int m = keptOut.Length, p = s.OutH * s.OutW;
        var y = new float[s.N * m * p];
        Array.Fill(y, float.NaN);
        CpuImplicitConv.Forward(s, x, weights, bias, y, null, keptOut, ImplicitConvPath.Shifted,
                                new CpuEpilogue(withResidual ? residual : null, relu));
        var expected = Reference(s, x, weights, bias, null, keptOut);
        for (int i = 0; i < expected.Length; i++)
        {
            if (withResidual) expected[i] += residual[i];
            if (relu) expected[i] = Math.Max(expected[i], 0);
        }
        double error = RelativeError(y, expected);
        Assert.True(error <= 1e-5, $"normwise error {error:E2}");
    }

    [Fact]
    public void The_shifted_path_refuses_a_stride_past_the_kernel_by_name()
    {
        var s = new Conv2dShape(2, 3, 9, 9, 4, 1, 1, 2, 2, 0, 0);
        var e = Assert.Throws<ArgumentException>(() => CpuImplicitConv.Forward(s, new float[s.XLength], new float[s.WeightLength], null,
            new float[s.YLength], null, null, ImplicitConvPath.Shifted));
        Assert.Contains("shifted path", e.Message);
        Assert.Contains("stride (2, 2)", e.Message);
    }

    [Fact]
    public void The_cost_model_takes_the_shifted_path_for_few_outputs_and_packs_where_junk_positions_dominate()
    {
        if (!Avx512F.IsSupported) return;
        // 64 → 16 @32×32: 6 % junk positions against a packing cost per tile worth more than two row panels.
        Assert.True(CpuShiftedConv.Prefers(new Conv2dShape(64, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1), 16, 64));
        // 8×8 images: a quarter of the wide positions are junk, and 256 rows amortise the packing.
        Assert.False(CpuShiftedConv.Prefers(new Conv2dShape(64, 256, 8, 8, 256, 3, 3, 1, 1, 1, 1), 256, 256));
        Assert.False(CpuShiftedConv.Prefers(new Conv2dShape(64, 16, 28, 28, 32, 1, 1, 2, 2, 0, 0), 32, 16)); // 1×1 stride 2: no layout
    }

    [Fact]
    public void Groups_are_sized_to_waste_the_least_of_their_last_tile()
    {
        // 14×14 outputs are 15 × 15 wide positions: a group of one computes 4 tiles (256 positions) for
        // 196 outputs, of three 11 (704) for 588, of two or four 1.14× — so 23 channels (3 images in
        // the byte budget) and a 13-channel stride-2 input (1 image) are grouped by two.
        Assert.Equal(2, CpuShiftedConv.GroupSize(new Conv2dShape(32, 23, 14, 14, 11, 3, 3, 1, 1, 1, 1), 23, threads: 2));
        Assert.Equal(2, CpuShiftedConv.GroupSize(new Conv2dShape(32, 13, 28, 28, 19, 3, 3, 2, 2, 1, 1), 13, threads: 2));
        // 11 channels: 6 images fit, the threads' share (4 groups a thread) caps it at 4, which already fits the tiles.
        Assert.Equal(4, CpuShiftedConv.GroupSize(new Conv2dShape(32, 11, 14, 14, 23, 3, 3, 1, 1, 1, 1), 11, threads: 2));
        // 28×28: one image is 13 tiles less 20 positions; two waste no less, so the byte budget's one stays.
        Assert.Equal(1, CpuShiftedConv.GroupSize(new Conv2dShape(32, 13, 28, 28, 7, 3, 3, 1, 1, 1, 1), 13, threads: 2));
        // Never past the threads' share: 8 images over 2 threads (4 groups each) are grouped by one,
        // as are 32 over 16 threads.
        Assert.Equal(1, CpuShiftedConv.GroupSize(new Conv2dShape(8, 13, 28, 28, 19, 3, 3, 2, 2, 1, 1), 13, threads: 2));
        Assert.Equal(1, CpuShiftedConv.GroupSize(new Conv2dShape(32, 23, 14, 14, 11, 3, 3, 1, 1, 1, 1), 23, threads: 16));
    }

    [Fact]
    public void Scatter_tables_are_kept_per_output_geometry_and_group_size()
    {
        var s = new Conv2dShape(32, 23, 14, 14, 11, 3, 3, 1, 1, 1, 1);
        var pairs = new ShiftedLayout(s, 23, 2);
        var first = ShiftedScatter.For(s, pairs);
        Assert.Same(first, ShiftedScatter.For(s, pairs));
        Assert.Same(first, ShiftedScatter.For(s with { Cin = 7, Cout = 40 }, new ShiftedLayout(s with { Cin = 7 }, 7, 2)));   // channels do not matter
        Assert.NotSame(first, ShiftedScatter.For(s, new ShiftedLayout(s, 23, 3)));
        Assert.NotSame(first, ShiftedScatter.For(s with { StrideH = 2, StrideW = 2 }, new ShiftedLayout(s with { StrideH = 2, StrideW = 2 }, 23, 2)));
    }

    [Fact]
    public void Convs_of_one_geometry_in_different_group_sizes_one_after_the_other_match_the_reference()
    {
        if (!Avx512F.IsSupported) return;
        // 14×14 outputs grouped by 2 (23 channels) and by 4 (11 channels) on two threads, alternately, so
        // each call meets the other's kept scatter tables first.
        var random = new System.Random(5);
        var shapes = new[] { new Conv2dShape(32, 23, 14, 14, 9, 3, 3, 1, 1, 1, 1), new Conv2dShape(32, 11, 14, 14, 9, 3, 3, 1, 1, 1, 1) };
        for (int round = 0; round < 2; round++)
            foreach (var s in shapes)
            {
                float[] x = Random(random, s.XLength), w = Random(random, s.WeightLength), y = new float[s.YLength];
                CpuImplicitConv.Forward(s, x, w, null, y, null, null, ImplicitConvPath.Shifted);
                Assert.True(RelativeError(y, Reference(s, x, w, null, null, null)) <= 1e-5, $"{s.Cin} channels, round {round}");
            }
    }

    internal static float[] Random(System.Random random, long n) =>
        Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static int[] Kept(System.Random random, int width, double ratio)
    {
        var all = Enumerable.Range(0, width).ToArray();
        random.Shuffle(all);
        return all[..Math.Max(1, (int)Math.Round(width * ratio))];
    }

    /// <summary>The conv in double precision over the kept channels (null: all), bias included.</summary>
    internal static double[] Reference(in Conv2dShape s, float[] x, float[] w, float[]? bias, int[]? keptIn, int[]? keptOut)
    {
        int[] ins = keptIn ?? Enumerable.Range(0, s.Cin).ToArray(), outs = keptOut ?? Enumerable.Range(0, s.Cout).ToArray();
        int oh = s.OutH, ow = s.OutW;
        var y = new double[s.N * outs.Length * oh * ow];
        for (int n = 0; n < s.N; n++)
            for (int j = 0; j < outs.Length; j++)
                for (int i = 0; i < oh; i++)
                    for (int jj = 0; jj < ow; jj++)
                    {
                        double sum = bias is null ? 0 : bias[outs[j]];
                        foreach (int c in ins)
                            for (int r = 0; r < s.KH; r++)
                                for (int t = 0; t < s.KW; t++)
                                {
                                    int ih = i * s.StrideH - s.PadH + r, iw = jj * s.StrideW - s.PadW + t;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += (double)x[((n * s.Cin + c) * s.H + ih) * s.W + iw] * w[((outs[j] * s.Cin + c) * s.KH + r) * s.KW + t];
                                }
                        y[((n * outs.Length + j) * oh + i) * ow + jj] = sum;
                    }
        return y;
    }

    internal static double RelativeError(float[] actual, double[] expected)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff / Math.Max(norm, 1e-30));
    }
}
