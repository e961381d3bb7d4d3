using SparseCore.Kernels.Norm;
using SparseCore.Kernels.Pool;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// Pooling and normalisation through autograd against their double references, the references
/// against finite differences, the running-statistic update, and bad input.
/// </summary>
public class PoolNormOpTests
{
    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from n in PoolNormCases.Names() select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => PoolNormCases.Names().Select(n => new object[] { n });

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backendName, string caseName) =>
        OpCheck.ForwardAndBackward(backendName, caseName, PoolNormCases.Create(caseName, TestBackends.IsSlow(backendName)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string caseName) =>
        OpCheck.ReferenceMatchesFiniteDifferences(caseName, PoolNormCases.Create(caseName, small: true));

    [Theory]
    [InlineData("maxpool:3:2:1")]
    [InlineData("avgpool:3:2:1")]
    [InlineData("batchnorm:train")]
    [InlineData("batchnorm:eval")]
    [InlineData("layernorm")]
    public void A_backward_off_by_one_percent_fails_the_check(string caseName) =>
        OpCheck.ScaledBackwardFails(caseName, PoolNormCases.Create(caseName, small: true));

    [Theory]
    [MemberData(nameof(Backends))]
    public void Batch_norm_training_updates_the_running_statistics_as_pytorch(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (n, c, h, w) = TestBackends.IsSlow(backendName) ? (3, 5, 3, 5) : (16, 33, 15, 17);
        const float momentum = 0.25f;
        var rng = new System.Random(5);
        var x = RefTensor.Random(rng, n, c, h, w);
        var runMean = RefTensor.Random(rng, c);
        var runVar = RefTensor.Positive(rng, c);
        var (mean, variance) = PoolNormRefOps.ChannelStats(x, n, c, h * w);
        int m = n * h * w;
        var expectedMean = runMean.Data.Select((r, i) => (1 - momentum) * r + momentum * mean[i]).ToArray();
        var expectedVar = runVar.Data.Select((r, i) => (1 - momentum) * r + momentum * variance[i] * m / (m - 1)).ToArray();

        using var scope = new TensorScope();
        var gamma = Tensor.Full(backend, new Shape(c), 1f);
        var beta = Tensor.Zeros(backend, new Shape(c));
        var rm = Tensor.FromArray(backend, runMean.ToFloat(), new Shape(c));
        var rv = Tensor.FromArray(backend, runVar.ToFloat(), new Shape(c));
        F.BatchNorm2d(Tensor.FromArray(backend, x.ToFloat(), new Shape(n, c, h, w)), gamma, beta, rm, rv, training: true, momentum);

        double meanError = Norms.RelativeError(rm.ToArray(), expectedMean), varError = Norms.RelativeError(rv.ToArray(), expectedVar);
        Assert.True(meanError <= PoolNormCases.Tolerance, $"running mean on {backendName}: error {meanError:E2}");
        Assert.True(varError <= PoolNormCases.Tolerance, $"running variance on {backendName}: error {varError:E2}");

        // Evaluation reads the running statistics and leaves them as they are.
        var before = rv.ToArray();
        using (Autograd.NoGrad()) F.BatchNorm2d(Tensor.FromArray(backend, x.ToFloat(), new Shape(n, c, h, w)), gamma, beta, rm, rv, training: false);
        Assert.Equal(before, rv.ToArray());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Max_pool_padding_never_wins(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var rng = new System.Random(11);
        var data = Enumerable.Range(0, 2 * 3 * 9 * 11).Select(_ => -1f - (float)rng.NextDouble()).ToArray();
        using var scope = new TensorScope();
        var y = F.MaxPool2d(Tensor.FromArray(backend, data, new Shape(2, 3, 9, 11)), 3, 2, 1);
        Assert.All(y.ToArray(), v => Assert.True(v < -1f, $"a padded zero won: {v}"));
    }

    [Fact]
    public void Bad_input_names_the_op_and_operand()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var x = Tensor.Zeros(backend, new Shape(2, 3, 5, 5));
        var c3 = Tensor.Zeros(backend, new Shape(3));
        var c4 = Tensor.Zeros(backend, new Shape(4));

        AssertThrows<TensorShapeException>(() => F.BatchNorm2d(x, c4, c3, c3, c3, true), "BatchNorm2d", "gamma must be [3]");
        AssertThrows<TensorShapeException>(() => F.BatchNorm2d(x, c3, c3, c3, c4, true), "BatchNorm2d", "runningVar must be [3]");
        AssertThrows<TensorShapeException>(() => F.BatchNorm2d(Tensor.Zeros(backend, new Shape(3, 5)), c3, c3, c3, c3, true), "BatchNorm2d", "[N, C, H, W]");
        AssertThrows<TensorShapeException>(() => F.BatchNorm2d(Tensor.Zeros(backend, new Shape(1, 3, 1, 1)), c3, c3, c3, c3, true),
            "BatchNorm2d", "more than one value per channel");
        AssertThrows<ArgumentException>(() => F.BatchNorm2d(x, c3, c3, c3, c3, true, momentum: 1.5f), "BatchNorm2d", "momentum");
        AssertThrows<TensorShapeException>(() => F.LayerNorm(Tensor.Zeros(backend, new Shape(4, 5)), c4, Tensor.Zeros(backend, new Shape(5))), "LayerNorm", "gamma must be [5]");
        AssertThrows<ArgumentException>(() => F.LayerNorm(Tensor.Zeros(backend, new Shape(4, 3)), c3, c3, eps: 0f), "LayerNorm", "eps");

        AssertThrows<TensorShapeException>(() => F.MaxPool2d(x, 9, 1, 1), "MaxPool2d", "Kernel=9 is larger than the padded input");
        AssertThrows<TensorShapeException>(() => F.AvgPool2d(x, 3, 1, 2), "AvgPool2d", "Padding must be in [0, Kernel/2 = 1]");
        AssertThrows<TensorShapeException>(() => F.MaxPool2d(x, 3, 0, 1), "MaxPool2d", "Stride=0");
        AssertThrows<TensorShapeException>(() => F.MaxPool2d(c3, 1, 1), "MaxPool2d", "[N, C, H, W]");
        AssertThrows<TensorShapeException>(() => F.GlobalAvgPool(c3), "GlobalAvgPool", "[N, C, H, W]");

        // The backend entry points check buffers themselves, naming the operand.
        var shape = new Pool2dShape(2, 3, 5, 5, 3, 2, 1);
        using var argmax = backend.Allocate<int>(2);
        using var y = backend.Allocate<float>((int)shape.OutputSize);
        AssertThrows<ArgumentException>(() => backend.MaxPool2d(x.Buffer, y, argmax, shape), "MaxPool2d", "argmax has 2 elements");
        AssertThrows<ArgumentException>(() => backend.BatchNorm2d(x.Buffer, c3.Buffer, c3.Buffer, c3.Buffer, c3.Buffer, x.Buffer, c3.Buffer, c3.Buffer,
            new BatchNormShape(2, 4, 15), true, 0.1f, 1e-5f), "BatchNorm2d", "gamma has 3 elements, needs 4");
    }

    internal static void AssertThrows<T>(Action act, string op, string detail) where T : Exception
    {
        var e = Assert.ThrowsAny<T>(act);
        Assert.StartsWith(op + ":", e.Message);
        Assert.Contains(detail, e.Message);
    }
}
