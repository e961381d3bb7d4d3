using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// Conv2dPairForward, a basic block's two convs at inference: the CPU's fused form (the first conv's
/// tiles handed straight into the second's stacked buffer) bit for bit against the two convs run one
/// after the other, on shapes that take the fused form (asserted) — groups of several images and a
/// short last one, an image a group, 5×5 borders, one intermediate channel, a stride-2 first conv whose
/// phases line up with the second's rows — with and without
/// biases, residual and ReLU; the default two-step form on ILGPU against the CPU; and bad shapes
/// refused by name.
/// </summary>
public class ConvPairTests
{
    public static TheoryData<string> Pairs() => new(Cases.Keys);

    private static readonly Dictionary<string, (int N, int Cin, int H, int W, int Mid, int Cout, int K, int Pad, bool Biases, bool Residual, bool Relu, int Stride)> Cases = new()
    {
        ["stride 2 first, 28 → 14 px by phases"] = (8, 13, 28, 28, 19, 19, 3, 1, true, true, true, 2),
        ["stride 2 first, odd 15×13 → 8×7"] = (5, 6, 15, 13, 9, 5, 3, 1, true, true, false, 2),
        ["5 images of 7×9×11, 13 between, 7 out"] = (5, 7, 9, 11, 13, 7, 3, 1, true, true, true, 1),
        ["groups of 2 images at 26×26 and a short last group"] = (10, 8, 26, 26, 5, 8, 3, 1, true, true, true, 1),
        ["300 channels: an image a group"] = (3, 300, 9, 9, 7, 5, 3, 1, true, false, true, 1),
        ["5×5 pad 2, one channel between, no biases, no epilogue"] = (4, 3, 10, 13, 1, 6, 5, 2, false, false, false, 1),
        ["the PASS network's first block, 13→7→13 at 28×28, batch 32"] = (32, 13, 28, 28, 7, 13, 3, 1, true, true, true, 1),
        ["7×7, residual without ReLU"] = (6, 16, 7, 7, 19, 16, 3, 1, false, true, false, 1),
        ["the PASS network's stage-2 block, 23→11→23 at 14×14, groups of 2 and a short last one"] = (31, 23, 14, 14, 11, 23, 3, 1, true, true, true, 1),
        ["the PASS network's 28 → 14 px block at batch 32, groups of 2"] = (32, 13, 28, 28, 19, 23, 3, 1, true, true, true, 2),
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void The_fused_pair_equals_the_two_convs_bit_for_bit(string name)
    {
        var (n, cin, h, w, mid, cout, k, pad, biases, withResidual, relu, stride) = Cases[name];
        var first = new Conv2dShape(n, cin, h, w, mid, k, k, stride, stride, pad, pad);
        var second = new Conv2dShape(n, mid, first.OutH, first.OutW, cout, k, k, 1, 1, pad, pad);
        if (!Avx512F.IsSupported)
        {
            Assert.False(CpuShiftedPair.Fits(first, second));
            return;
        }
        float[] x = K.Random((int)first.XLength, 1), w1 = K.Random((int)first.WeightLength, 2), w2 = K.Random((int)second.WeightLength, 3);
        float[]? b1 = biases ? K.Random(mid, 4) : null, b2 = biases ? K.Random(cout, 5) : null;
        float[]? residual = withResidual ? K.Random((int)second.YLength, 6) : null;
        var epilogue = new CpuEpilogue(residual, relu);

        var fused = new float[second.YLength];
        Array.Fill(fused, float.NaN);
        Assert.True(CpuImplicitConv.ForwardPair(first, second, x, w1, b1, w2, b2, fused, epilogue), "this pair should take the fused form");

        var between = new float[first.YLength];
        var apart = new float[second.YLength];
        CpuImplicitConv.Forward(first, x, w1, b1, between, null, null, ImplicitConvPath.Shifted, new CpuEpilogue(null, Relu: true));
        Assert.Equal(first.YLength, between.Length);
        CpuImplicitConv.Forward(second, between, w2, b2, apart, null, null, ImplicitConvPath.Shifted, epilogue);
        K.AssertBitIdentical(fused, apart, "fused pair against the two convs");
    }

    [Fact]
    public void Through_the_backend_the_pair_matches_a_double_reference()
    {
        var first = new Conv2dShape(4, 5, 8, 9, 6, 3, 3, 1, 1, 1, 1);
        var second = new Conv2dShape(4, 6, 8, 9, 5, 3, 3, 1, 1, 1, 1);
        var (x, w1, b1, w2, b2, residual) = Operands(first, second, 7);
        using var backend = new CpuBackend();
        var got = RunPair(backend, first, second, x, w1, b1, w2, b2, residual);
        var between = Reference(first, K.ToDouble(x), w1, b1);
        for (int i = 0; i < between.Length; i++) between[i] = Math.Max(between[i], 0);
        var want = Reference(second, between, w2, b2);
        for (int i = 0; i < want.Length; i++) want[i] = Math.Max(want[i] + residual[i], 0);
        K.AssertClose(got, want, 1e-5, "Conv2dPairForward");
    }

    [Fact]
    public void Mismatched_convs_are_refused_by_name()
    {
        using var backend = new CpuBackend();
        var first = new Conv2dShape(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1);
        var second = new Conv2dShape(2, 5, 6, 6, 4, 3, 3, 1, 1, 1, 1);
        using var x = backend.Allocate<float>((int)first.XLength);
        using var w1 = backend.Allocate<float>((int)first.WeightLength);
        using var w2 = backend.Allocate<float>((int)second.WeightLength);
        using var y = backend.Allocate<float>((int)second.YLength);
        var e = Assert.Throws<ArgumentException>(() => backend.Conv2dPairForward(first, second, x, w1, null, w2, null, y));
        Assert.Contains("Conv2dPairForward", e.Message);
        Assert.Contains("second conv's input", e.Message);
    }

    /// <summary>Seeded x, w1, b1, w2, b2 and a residual for the pair.</summary>
    internal static (float[] X, float[] W1, float[] B1, float[] W2, float[] B2, float[] Residual) Operands(in Conv2dShape first, in Conv2dShape second, int seed) =>
        (K.Random((int)first.XLength, seed), K.Random((int)first.WeightLength, seed + 1), K.Random(first.Cout, seed + 2),
         K.Random((int)second.WeightLength, seed + 3), K.Random(second.Cout, seed + 4), K.Random((int)second.YLength, seed + 5));

    internal static float[] RunPair(Backend backend, in Conv2dShape first, in Conv2dShape second, float[] x, float[] w1, float[] b1, float[] w2, float[] b2, float[] residual)
    {
        using var xb = K.Upload(backend, x);
        using var w1b = K.Upload(backend, w1);
        using var w2b = K.Upload(backend, w2);
        using var b1b = K.Upload(backend, b1);
        using var b2b = K.Upload(backend, b2);
        using var rb = K.Upload(backend, residual);
        using var y = backend.Allocate<float>((int)second.YLength);
        backend.Conv2dPairForward(first, second, xb, w1b, b1b, w2b, b2b, y, new ConvEpilogue(rb, Relu: true));
        var got = new float[second.YLength];
        backend.Download(y, got);
        return got;
    }

    /// <summary>Plain double conv: y[n, co, i, j] = b[co] + Σ x · w.</summary>
    internal static double[] Reference(in Conv2dShape s, double[] x, float[] w, float[] b)
    {
        var y = new double[s.YLength];
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int i = 0; i < s.OutH; i++)
                    for (int j = 0; j < s.OutW; j++)
                    {
                        double sum = b[co];
                        for (int c = 0; c < s.Cin; c++)
                            for (int r = 0; r < s.KH; r++)
                                for (int t = 0; t < s.KW; t++)
                                {
                                    int ih = i * s.StrideH - s.PadH + r, iw = j * s.StrideW - s.PadW + t;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += x[((n * s.Cin + c) * s.H + ih) * s.W + iw] * w[((co * s.Cin + c) * s.KH + r) * s.KW + t];
                                }
                        y[((n * s.Cout + co) * s.OutH + i) * s.OutW + j] = sum;
                    }
        return y;
    }
}

/// <summary>The backend's default two-step pair on ILGPU (the CPU simulator) against the CPU's fused one.</summary>
[Collection(IlgpuSimulatorCollection.Name)]
public class IlgpuConvPairTests(IlgpuSimulatorFixture fixture)
{
    [Fact]
    public void The_two_step_pair_on_ilgpu_matches_the_cpu()
    {
        var first = new Conv2dShape(3, 4, 7, 6, 5, 3, 3, 1, 1, 1, 1);
        var second = new Conv2dShape(3, 5, 7, 6, 4, 3, 3, 1, 1, 1, 1);
        var (x, w1, b1, w2, b2, residual) = ConvPairTests.Operands(first, second, 21);
        using var cpu = new CpuBackend();
        var want = ConvPairTests.RunPair(cpu, first, second, x, w1, b1, w2, b2, residual);
        var got = ConvPairTests.RunPair(fixture.Backend, first, second, x, w1, b1, w2, b2, residual);
        K.AssertClose(got, K.ToDouble(want), 1e-5, "ILGPU pair against the CPU's");
    }
}
