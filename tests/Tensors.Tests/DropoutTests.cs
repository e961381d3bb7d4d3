using SparseCore.Kernels.Random;

namespace SparseCore.Tensors.Tests;

/// <summary>Dropout: the mask's statistics, scaling, determinism by (seed, stream) across backends, and its backward.</summary>
public class DropoutTests
{
    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    /// <summary>The keep mask the op must use: the counter-based Bernoulli draw, computed on the host.</summary>
    private static bool Kept(float p, ulong seed, ulong stream, int i) =>
        RandomMath.Draw((int)RandomDistribution.Bernoulli, 1f - p, 0f, seed, stream, (ulong)i) == 1f;

    [Theory]
    [MemberData(nameof(Backends))]
    public void Kept_values_are_scaled_and_the_backward_uses_the_same_mask(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        int n = TestBackends.IsSlow(backendName) ? 2001 : 300_007;
        const float p = 0.3f;
        var rng = new System.Random(1);
        var xs = Enumerable.Range(0, n).Select(_ => 0.5f + (float)rng.NextDouble()).ToArray();
        var gs = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();

        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, xs, new Shape(n));
        x.RequiresGrad = true;
        var y = F.Dropout(x, p, training: true, seed: 42, stream: 7);
        y.Backward(Tensor.FromArray(backend, gs, new Shape(n)));
        var ya = y.ToArray();
        var dx = x.Grad!.ToArray();

        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            bool keep = Kept(p, 42, 7, i);
            kept += keep ? 1 : 0;
            Assert.Equal(keep ? xs[i] / (1 - p) : 0f, ya[i], 1e-6f * Math.Abs(xs[i] / (1 - p)));
            Assert.Equal(keep ? gs[i] / (1 - p) : 0f, dx[i], 1e-6f);
        }
        // The kept fraction is binomial: within 5 standard deviations of 1 − p.
        double sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(kept, n * (1 - p) - 5 * sigma, n * (1 - p) + 5 * sigma);
    }

    [Fact]
    public void The_mask_depends_only_on_seed_and_stream_on_every_backend()
    {
        const int n = 1001;
        var xs = Enumerable.Repeat(1f, n).ToArray();
        float[] Run(string backendName, ulong seed, ulong stream)
        {
            using var scope = new TensorScope();
            var backend = TestBackends.Get(backendName);
            return F.Dropout(Tensor.FromArray(backend, xs, new Shape(n)), 0.5f, true, seed, stream).ToArray();
        }
        var reference = Run("cpu", 3, 1);
        Assert.Equal(reference, Run("cpu", 3, 1));
        Assert.Equal(reference, Run("ilgpu-cpu", 3, 1));
        Assert.NotEqual(reference, Run("cpu", 4, 1));
        Assert.NotEqual(reference, Run("cpu", 3, 2));
    }

    [Theory]
    [InlineData(0f, true)]
    [InlineData(0.5f, false)]
    public void Without_dropping_it_is_the_identity(float p, bool training)
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var xs = new[] { 1f, -2f, 3f, 0.25f, 5f };
        var x = Tensor.FromArray(backend, xs, new Shape(5));
        x.RequiresGrad = true;
        var y = F.Dropout(x, p, training, 1, 1);
        Assert.Equal(xs, y.ToArray());
        y.Backward(Tensor.FromArray(backend, xs, new Shape(5)));
        Assert.Equal(xs, x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void P_outside_zero_to_one_is_rejected(float p)
    {
        using var scope = new TensorScope();
        var x = Tensor.Zeros(TestBackends.Get("cpu"), new Shape(3));
        PoolNormOpTests.AssertThrows<ArgumentException>(() => F.Dropout(x, p, true, 1, 1), "Dropout", "p must be in [0, 1)");
    }
}
