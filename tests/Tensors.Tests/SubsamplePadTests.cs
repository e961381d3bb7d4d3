using SparseCore.Kernels.Layout;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// F.SubsamplePad, the CIFAR ResNets' zero-padding shortcut in one kernel: against its double
/// reference on both backends (odd planes, odd channel counts, strides 1–3), the reference against
/// finite differences, deliberately wrong versions failing, the unfused composition it replaced
/// (a 1×1 max-pool, zeros, a concatenation) matched bit for bit, and bad input.
/// </summary>
public class SubsamplePadTests
{
    private static readonly string[] Names = ["2:5", "2:0", "1:4", "3:2"];

    private const double Tolerance = 1e-6;

    public static IEnumerable<object[]> BackendCases() => from b in TestBackends.Names from n in Names select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => Names.Select(n => new object[] { n });

    private static OpCase Create(string name, bool small)
    {
        var parts = name.Split(':');
        int stride = int.Parse(parts[0]), zeros = int.Parse(parts[1]);
        var (n, c, h, w) = small ? (2, 3, 9, 11) : (9, 13, 29, 41);   // 41 wide: two 16-output steps of the vector gather
        var x = RefTensor.Random(new System.Random(StableSeed.Of(name)), n, c, h, w);
        return new OpCase(LayoutRefOps.SubsamplePad(n, c, h, w, stride, zeros), [x], t => F.SubsamplePad(t[0], stride, zeros), Tolerance);
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backend, string name) =>
        OpCheck.ForwardAndBackward(backend, name, Create(name, TestBackends.IsSlow(backend)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string name) => OpCheck.ReferenceMatchesFiniteDifferences(name, Create(name, small: true));

    [Fact]
    public void A_backward_off_by_one_percent_fails_the_check() => OpCheck.ScaledBackwardFails("2:5", Create("2:5", small: true));

    [Fact]
    public void A_forward_sampling_the_odd_positions_fails_the_check()
    {
        // The same gather shifted one pixel right: a kernel that got the phase wrong.
        var (n, c, h, w) = (2, 3, 9, 11);
        var x = RefTensor.Random(new System.Random(7), n, c, h, w);
        var wrong = LayoutRefOps.SubsamplePad(n, c, h, w, 2, 5).Forward([new RefTensor(Shifted(x.Data, w), [n, c, h, w])]);
        using var scope = new TensorScope();
        var y = F.SubsamplePad(Tensor.FromArray(TestBackends.Get("cpu"), x.ToFloat(), new Shape(n, c, h, w)), 2, 5);
        Assert.True(Norms.RelativeError(y.ToArray(), wrong.Data) > 0.1, "a subsample of the odd columns passed as the even ones");
    }

    /// <summary>Every row moved one pixel left (its last pixel 0).</summary>
    private static double[] Shifted(double[] x, int w)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / w; r++)
            for (int j = 0; j + 1 < w; j++) y[r * w + j] = x[r * w + j + 1];
        return y;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void It_equals_the_max_pool_zeros_and_concatenation_it_replaced_bit_for_bit(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (n, c, h, w, zeros) = TestBackends.IsSlow(backendName) ? (2, 3, 7, 9, 4) : (8, 11, 28, 28, 4);
        var rng = new System.Random(11);
        float[] data = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] seed = Enumerable.Range(0, n * (c + zeros) * ((h + 1) / 2) * ((w + 1) / 2)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        using var scope = new TensorScope();
        (float[] Y, float[] Dx) Run(Func<Tensor, Tensor> shortcut)
        {
            var x = Tensor.FromArray(backend, data, new Shape(n, c, h, w));
            x.RequiresGrad = true;
            var y = shortcut(x);
            y.Backward(Tensor.FromArray(backend, seed, y.Shape));
            return (y.ToArray(), x.Grad!.ToArray());
        }
        var fused = Run(x => F.SubsamplePad(x, 2, zeros));
        var unfused = Run(x =>
        {
            var sub = F.MaxPool2d(x, 1, 2);
            return F.Concat([sub, Tensor.Zeros(backend, new Shape(n, zeros, sub.Shape[2], sub.Shape[3]))], 1);
        });
        Assert.Equal(unfused.Y, fused.Y);
        Assert.Equal(unfused.Dx, fused.Dx);
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    [Fact]
    public void Bad_input_is_rejected_naming_the_op()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        Tensor Z(params int[] s) => Tensor.Zeros(backend, new Shape(s));
        Assert.Equal("SubsamplePad", Assert.Throws<TensorShapeException>(() => F.SubsamplePad(Z(3, 4, 5), 2, 1)).Op);
        Assert.Equal("SubsamplePad", Assert.Throws<TensorShapeException>(() => F.SubsamplePad(Z(1, 3, 4, 5), 0, 1)).Op);
        Assert.Equal("SubsamplePad", Assert.Throws<TensorShapeException>(() => F.SubsamplePad(Z(1, 3, 4, 5), 2, -1)).Op);
        using var x = backend.Allocate<float>(60);
        using var y = backend.Allocate<float>(60);
        using var small = backend.Allocate<float>(10);
        void Rejects(string op, Action run) => Assert.Contains(op, Assert.Throws<ArgumentException>(run).Message);
        Rejects("SubsamplePad", () => backend.SubsamplePad(x, small, new SubsamplePadShape(1, 3, 4, 5, 4, 2)));       // y needs 4·2·3 = 24 floats
        Rejects("SubsamplePad", () => backend.SubsamplePad(x, y, new SubsamplePadShape(1, 3, 4, 5, 2, 1)));           // narrows 3 channels to 2
        Rejects("SubsamplePadBackward", () => backend.SubsamplePadBackward(x, x, new SubsamplePadShape(1, 3, 4, 5, 3, 1)));
    }
}
