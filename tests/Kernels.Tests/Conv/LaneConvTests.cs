using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The lane form of the CPU conv forward (output channels in the vector lanes) against a double
/// reference with every epilogue, and bit for bit against the shifted form where that one runs.
/// Odd sizes: image counts that leave a short chunk and a partial last tile, outputs an image that
/// are not a multiple of the 8×8 write-out, reductions over one to three blocks of 512 taps,
/// strides 1 and 2, and an unpadded 1×1 conv (read in place).
/// </summary>
public class LaneConvTests
{
    public static TheoryData<string> Shapes() => new(Cases.Keys);

    private static readonly Dictionary<string, (Conv2dShape Shape, bool Bias, bool Residual, bool Relu)> Cases = new()
    {
        ["3x3 p1 4x4 outputs, 7 images, 64 out"] = (new(7, 5, 4, 4, 64, 3, 3, 1, 1, 1, 1), true, true, true),
        ["3x3 p1 7x7, 70 in: two reduction blocks"] = (new(5, 70, 7, 7, 64, 3, 3, 1, 1, 1, 1), true, false, true),
        ["3x3 p1 9x11, 130 in: three blocks, 128 out"] = (new(3, 130, 9, 11, 128, 3, 3, 1, 1, 1, 1), false, true, false),
        ["3x3 p1 3x5: 15 outputs, a write-out tail of 7"] = (new(9, 6, 3, 5, 64, 3, 3, 1, 1, 1, 1), true, false, false),
        ["3x3 s2 p1 14x14 to 7x7, 128 out"] = (new(5, 9, 14, 14, 128, 3, 3, 2, 2, 1, 1), true, false, true),
        ["3x3 s2 p1 odd 13x9"] = (new(4, 11, 13, 9, 64, 3, 3, 2, 2, 1, 1), false, false, true),
        ["1x1 s2 p0: x read in place"] = (new(6, 37, 7, 7, 128, 1, 1, 2, 2, 0, 0), true, false, false),
        ["32 out (12-position tiles) 3x3 p1 14x14, 3 images"] = (new(3, 21, 14, 14, 32, 3, 3, 1, 1, 1, 1), true, true, true),
        ["96 out: three 32-channel panels, s2 9x9"] = (new(5, 7, 9, 9, 96, 3, 3, 2, 2, 1, 1), false, false, true),
        ["32 out 3x3 p1 28x28, 70 in: two blocks"] = (new(2, 70, 28, 28, 32, 3, 3, 1, 1, 1, 1), true, false, false),
        ["40 out: one 40 panel (8-position tiles), no idle lane"] = (new(3, 13, 7, 7, 40, 3, 3, 1, 1, 1, 1), true, true, true),
        ["35 out: one 40 panel, 5 idle lanes"] = (new(3, 13, 7, 7, 35, 3, 3, 1, 1, 1, 1), false, true, true),
        ["33 out: one 40 panel, 7 idle lanes, s2 13x13, 70 in: two blocks"] = (new(3, 70, 13, 13, 33, 3, 3, 2, 2, 1, 1), true, false, true),
        ["100 out: 64 + 40 panels, 5x6, a partial last tile"] = (new(3, 9, 5, 6, 100, 3, 3, 1, 1, 1, 1), true, true, false),
        ["42 out: one 48 panel (8-position tiles), 6 idle lanes, 7x7"] = (new(5, 33, 7, 7, 42, 3, 3, 1, 1, 1, 1), true, true, true),
        ["48 out: one 48 panel, s2 14x14 to 7x7, 70 in: two blocks"] = (new(3, 70, 14, 14, 48, 3, 3, 2, 2, 1, 1), false, false, true),
        ["23 out: one 24 panel (12-position tiles), 3x3 p1 14x14, 70 in: two blocks"] = (new(2, 70, 14, 14, 23, 3, 3, 1, 1, 1, 1), true, false, true),
        ["53 out: 32 + 24 panels, s2"] = (new(3, 10, 11, 11, 53, 3, 3, 2, 2, 1, 1), true, true, false),
        ["13 out: one 16 panel, 3 idle lanes, 24-position tiles"] = (new(2, 7, 14, 14, 13, 3, 3, 1, 1, 1, 1), true, false, true),
        ["29 out: one 32 panel, s2"] = (new(3, 19, 14, 14, 29, 3, 3, 2, 2, 1, 1), false, true, false),
        ["117 out: 64 + 32 + 24 panels, the last with 21 of 24"] = (new(2, 9, 5, 6, 117, 3, 3, 1, 1, 1, 1), true, true, true),
        ["5x5 p2 one image"] = (new(1, 4, 6, 6, 64, 5, 5, 1, 1, 2, 2), true, true, true),
        ["3x3 p0 valid 10x10"] = (new(3, 8, 10, 10, 64, 3, 3, 1, 1, 0, 0), false, false, false),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_reference_with_its_epilogue_and_the_shifted_form_bit_for_bit(string name)
    {
        var (s, withBias, withResidual, relu) = Cases[name];
        if (!Avx512F.IsSupported)
        {
            Assert.False(CpuLaneConv.Fits(s));
            return;
        }
        var random = new System.Random(name.Length * 31 + s.Cin);
        float[] x = ImplicitConvPathTests.Random(random, s.XLength), w = ImplicitConvPathTests.Random(random, s.WeightLength), residual = ImplicitConvPathTests.Random(random, s.YLength);
        float[]? bias = withBias ? ImplicitConvPathTests.Random(random, s.Cout) : null;
        var epilogue = new CpuEpilogue(withResidual ? residual : null, relu);
        var y = new float[s.YLength];
        Array.Fill(y, float.NaN);

        CpuLaneConv.Forward(s, x, w, bias, y, epilogue);

        var expected = ImplicitConvPathTests.Reference(s, x, w, bias, null, null);
        for (int i = 0; i < expected.Length; i++)
        {
            if (withResidual) expected[i] += residual[i];
            if (relu) expected[i] = Math.Max(expected[i], 0);
        }
        double error = ImplicitConvPathTests.RelativeError(y, expected);
        Assert.True(error <= 1e-5, $"normwise error {error:E2}");
        if (CpuShiftedConv.Fits(s))
        {
            var shifted = new float[s.YLength];
            CpuImplicitConv.Forward(s, x, w, bias, shifted, null, null, ImplicitConvPath.Shifted, epilogue);
            Assert.Equal(shifted, y);
        }
    }

    [Theory]
    [InlineData(6, 40, 7, 7, 13)]     // transposed: 40 outputs as one 40 panel
    [InlineData(4, 45, 7, 7, 20)]     // transposed: 45 outputs as one 48 panel
    [InlineData(5, 64, 4, 4, 9)]      // one 64 panel over 4×4 outputs
    [InlineData(3, 70, 9, 8, 29)]     // 70 outputs as 64 + 16, 29 input channels (one reduction block of 261 taps)
    [InlineData(2, 23, 14, 14, 600)]  // 600 input channels: two reduction blocks
    public void The_data_gradient_equals_the_forward_of_the_flipped_transposed_weights_bit_for_bit(int n, int cin, int h, int w, int cout)
    {
        if (!Avx512F.IsSupported) return;
        var s = new Conv2dShape(n, cin, h, w, cout, 3, 3, 1, 1, 1, 1);
        var t = CpuConv.TransposedForward(s)!.Value;
        var random = new System.Random(cin * 7 + cout);
        float[] dy = ImplicitConvPathTests.Random(random, s.YLength), weights = ImplicitConvPathTests.Random(random, s.WeightLength);
        var flipped = new float[weights.Length];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int r = 0; r < 9; r++)
                    flipped[(ci * cout + co) * 9 + r] = weights[(co * cin + ci) * 9 + 8 - r];
        float[] dx = new float[s.XLength], viaFlipped = new float[s.XLength];

        CpuLaneConv.DataGradient(s, dy, weights, dx);
        CpuLaneConv.Forward(t, dy, flipped, null, viaFlipped, default);

        Assert.Equal(viaFlipped, dx);
        var expected = ImplicitConvPathTests.Reference(t, dy, flipped, null, null, null);
        Assert.True(ImplicitConvPathTests.RelativeError(dx, expected) <= 1e-5);
    }

    [Fact]
    public void The_data_gradient_refuses_a_strided_conv_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => CpuLaneConv.DataGradient(new Conv2dShape(2, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1), new float[2 * 8 * 25], new float[576], new float[2 * 8 * 81]));
        Assert.Contains("stride-1", e.Message);
    }

    [Theory]
    [InlineData(13, new[] { 16 })]
    [InlineData(23, new[] { 24 })]
    [InlineData(29, new[] { 32 })]
    [InlineData(33, new[] { 40 })]
    [InlineData(35, new[] { 40 })]
    [InlineData(40, new[] { 40 })]
    [InlineData(41, new[] { 48 })]
    [InlineData(47, new[] { 48 })]
    [InlineData(48, new[] { 48 })]
    [InlineData(49, new[] { 32, 24 })]
    [InlineData(56, new[] { 32, 24 })]
    [InlineData(60, new[] { 64 })]
    [InlineData(117, new[] { 64, 32, 24 })]
    public void Panels_cover_the_channels_to_the_next_multiple_of_eight_in_the_fewest_panels(int cout, int[] widths)
    {
        var panels = CpuLaneConv.Panels(cout, 9);
        Assert.Equal(widths, panels.Select(p => p.Width));
        Assert.Equal(cout, panels.Sum(p => p.Used));
        Assert.Equal(panels.Select(p => p.First), panels.Select(p => p.First).Order());
        Assert.Equal(widths.Sum() * 9, panels[^1].Packed + panels[^1].Width * 9);
    }

    [Theory]
    [InlineData(35)]    // one 40 panel with 5 idle lanes
    [InlineData(117)]   // 64 + 32 + 24, the last with 21 of 24
    public void A_weight_scale_gives_the_prescaled_weights_results_bit_for_bit(int cout)
    {
        if (!Avx512F.IsSupported) return;
        var s = new Conv2dShape(3, 11, 7, 7, cout, 3, 3, 1, 1, 1, 1);
        var random = new System.Random(cout);
        float[] x = ImplicitConvPathTests.Random(random, s.XLength), w = ImplicitConvPathTests.Random(random, s.WeightLength);
        float[] scale = ImplicitConvPathTests.Random(random, cout), bias = ImplicitConvPathTests.Random(random, cout);
        var scaledWeights = new float[w.Length];
        for (int i = 0; i < w.Length; i++) scaledWeights[i] = w[i] * scale[i / s.PatchSize];
        float[] viaScale = new float[s.YLength], viaWeights = new float[s.YLength];

        CpuLaneConv.Forward(s, x, w, bias, viaScale, new CpuEpilogue(null, true), scale);
        CpuLaneConv.Forward(s, x, scaledWeights, bias, viaWeights, new CpuEpilogue(null, true));

        Assert.Equal(viaWeights, viaScale);
    }

    [Fact]
    public void Refuses_images_of_fewer_than_eight_outputs_by_name()
    {
        var s = new Conv2dShape(2, 3, 2, 3, 48, 3, 3, 1, 1, 1, 1);   // 6 outputs an image: no 8×8 write-out
        Assert.False(CpuLaneConv.Fits(s));
        var e = Assert.Throws<ArgumentException>(() => CpuLaneConv.Forward(s, new float[s.XLength], new float[s.WeightLength], null, new float[s.YLength], default));
        Assert.Contains("lane form", e.Message);
    }

    [Fact]
    public void Is_preferred_for_wide_layers_over_small_images_only()
    {
        if (!Avx512F.IsSupported) return;
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 128, 14, 14, 128, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 128, 14, 14, 256, 1, 1, 2, 2, 0, 0)));
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 64, 28, 28, 64, 3, 3, 1, 1, 1, 1)));
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 32, 14, 14, 32, 3, 3, 1, 1, 1, 1)));    // 32-channel panels
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1)));   // few channels over a large image
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 32, 7, 7, 40, 3, 3, 1, 1, 1, 1)));      // one 40 panel
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 29, 3, 3, 1, 1, 1, 1)));      // 29 as 32
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 35, 3, 3, 1, 1, 1, 1)));      // 35 as 40 at 7×7
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 33, 3, 3, 1, 1, 1, 1)));      // 33 as 40: under a quarter idle
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 64, 7, 7, 26, 3, 3, 1, 1, 1, 1)));      // 26 as 32 at 7×7
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 16, 3, 3, 1, 1, 1, 1)));      // one full 16 panel at 7×7
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 13, 3, 3, 1, 1, 1, 1)));     // 13 as 16 at 7×7
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 18, 3, 3, 1, 1, 1, 1)));     // 18 as 24: a quarter idle
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 42, 7, 7, 24, 3, 3, 1, 1, 1, 1)));      // one 24 panel at 7×7
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 40, 7, 7, 20, 3, 3, 1, 1, 1, 1)));      // 20 as 24: a sixth idle
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 23, 3, 3, 1, 1, 1, 1)));   // one 24 panel at 14×14
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 35, 3, 3, 1, 1, 1, 1)));   // 35 as 40 at 14×14
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 40, 3, 3, 1, 1, 1, 1)));    // one 40 panel at 14×14
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 19, 3, 3, 1, 1, 1, 1)));   // 19 as 24
        Assert.True(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 26, 3, 3, 2, 2, 1, 1)));    // strided: 26 as 32
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 23, 14, 14, 21, 3, 3, 2, 2, 1, 1)));   // strided: 21 as 32
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 13, 28, 28, 24, 3, 3, 2, 2, 1, 1)));   // strided: 24 as 32, a quarter idle
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 32, 28, 28, 40, 3, 3, 1, 1, 1, 1)));   // 28×28 in whole 32-channel panels only
        Assert.False(CpuLaneConv.Prefers(new Conv2dShape(32, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1)));   // the shifted form's larger images
        // The backend scales batch-norm-folded weights itself exactly where the lane form runs.
        using var cpu = new SparseCore.Kernels.Cpu.CpuBackend();
        Assert.True(cpu.ScalesConvWeights(new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1)));
        Assert.False(cpu.ScalesConvWeights(new Conv2dShape(32, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1)));
    }
}
