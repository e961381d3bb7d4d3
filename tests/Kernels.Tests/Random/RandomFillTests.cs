using SparseCore.Kernels.Random;

namespace SparseCore.Kernels.Tests.Random;

/// <summary>
/// FillRandom: distribution moments within statistical bounds (5 standard errors), bit-exact
/// reproducibility, and the counter-based property (draw i depends only on seed, stream and i).
/// </summary>
public class RandomFillTests
{
    private const int N = 100_003;

    private static float[] Draw(Backend backend, int n, RandomDistribution d, float a, float b, ulong seed, ulong stream)
    {
        using var y = backend.Allocate<float>(n);
        backend.FillRandom(y, d, a, b, seed, stream);
        return backend.ToArray(y);
    }

    private static (double Mean, double Var) Moments(float[] x)
    {
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        double var = 0;
        foreach (var v in x) var += (v - mean) * (v - mean);
        return (mean, var / (x.Length - 1));
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Uniform_is_in_range_with_the_right_moments(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = Draw(backend, N, RandomDistribution.Uniform, -2f, 3f, 42, 0);
        foreach (var v in x) Assert.True(v >= -2f && v < 3f, $"uniform(-2, 3) drew {v}");
        var (mean, var) = Moments(x);
        // Width 5: mean 0.5, variance 25/12; se(mean) = sqrt(var/n), se(var) = sqrt(w⁴/180/n).
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(25.0 / 12 / N), 0.5 + 5 * Math.Sqrt(25.0 / 12 / N));
        double seVar = Math.Sqrt(625.0 / 180 / N);
        Assert.InRange(var, 25.0 / 12 - 5 * seVar, 25.0 / 12 + 5 * seVar);
        // It reaches both ends (gaps of 5/n expected).
        Assert.True(x.Min() < -2f + 1e-3f && x.Max() > 3f - 1e-3f, $"range [{x.Min()}, {x.Max()}]");
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Normal_has_the_requested_mean_and_std(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = Draw(backend, N, RandomDistribution.Normal, 1f, 2f, 7, 3);
        foreach (var v in x) Assert.True(float.IsFinite(v), $"normal drew {v}");
        var (mean, var) = Moments(x);
        Assert.InRange(mean, 1 - 5 * 2 / Math.Sqrt(N), 1 + 5 * 2 / Math.Sqrt(N));
        double seVar = Math.Sqrt(2 * 16.0 / N); // var of the sample variance: 2σ⁴/n
        Assert.InRange(var, 4 - 5 * seVar, 4 + 5 * seVar);
        // Shape, not just moments: P(|x − μ| < σ) = 0.6827.
        double within = x.Count(v => Math.Abs(v - 1) < 2) / (double)N;
        Assert.InRange(within, 0.6827 - 5 * Math.Sqrt(0.6827 * 0.3173 / N), 0.6827 + 5 * Math.Sqrt(0.6827 * 0.3173 / N));
        // Symmetric tails: as many beyond +2σ as beyond −2σ.
        int hi = x.Count(v => v > 1 + 4), lo = x.Count(v => v < 1 - 4);
        Assert.True(Math.Abs(hi - lo) < 5 * Math.Sqrt(hi + lo), $"tails {lo} below vs {hi} above");
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Bernoulli_draws_ones_with_the_requested_frequency(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = Draw(backend, N, RandomDistribution.Bernoulli, 0.3f, 0f, 11, 5);
        foreach (var v in x) Assert.True(v == 0f || v == 1f, $"Bernoulli drew {v}");
        double freq = x.Count(v => v == 1f) / (double)N;
        double se = Math.Sqrt(0.3 * 0.7 / N);
        Assert.InRange(freq, 0.3 - 5 * se, 0.3 + 5 * se);
        Assert.All(Draw(backend, 1003, RandomDistribution.Bernoulli, 0f, 0f, 11, 5), v => Assert.Equal(0f, v));
        Assert.All(Draw(backend, 1003, RandomDistribution.Bernoulli, 1f, 0f, 11, 5), v => Assert.Equal(1f, v));
    }

    public static TheoryData<string, RandomDistribution> Distributions()
    {
        var data = new TheoryData<string, RandomDistribution>();
        foreach (var b in KernelTestBackends.All)
            foreach (var d in Enum.GetValues<RandomDistribution>()) data.Add(b.Name, d);
        return data;
    }

    private static (float A, float B) Params(RandomDistribution d) => d switch
    {
        RandomDistribution.Uniform => (-2f, 3f),
        RandomDistribution.Normal => (1f, 2f),
        _ => (0.3f, 0f),
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Same_seed_and_stream_reproduce_bit_for_bit(string backendName, RandomDistribution d)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var (a, b) = Params(d);
        var first = Draw(backend, N, d, a, b, 1234, 9);
        var again = Draw(backend, N, d, a, b, 1234, 9);
        K.AssertBitIdentical(first, again, $"{d} redraw");
        using var other = KernelTestBackends.Create(backendName);
        K.AssertBitIdentical(first, Draw(other, N, d, a, b, 1234, 9), $"{d} on a second backend instance");
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Different_stream_or_seed_gives_different_numbers(string backendName, RandomDistribution d)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var (a, b) = Params(d);
        var x = Draw(backend, N, d, a, b, 1234, 9);
        var otherStream = Draw(backend, N, d, a, b, 1234, 10);
        var otherSeed = Draw(backend, N, d, a, b, 1235, 9);
        // Bernoulli(0.3) agrees by chance with probability 0.58; continuous draws almost never.
        double maxAgree = d == RandomDistribution.Bernoulli ? 0.65 : 0.01;
        double Agree(float[] y) => Enumerable.Range(0, N).Count(i => x[i] == y[i]) / (double)N;
        Assert.True(Agree(otherStream) < maxAgree, $"{d}: stream 10 agrees with stream 9 on {Agree(otherStream):P}");
        Assert.True(Agree(otherSeed) < maxAgree, $"{d}: seed 1235 agrees with seed 1234 on {Agree(otherSeed):P}");
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Draw_i_does_not_depend_on_the_buffer_length(string backendName, RandomDistribution d)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var (a, b) = Params(d);
        var shortFill = Draw(backend, 1000, d, a, b, 77, 1);
        var longFill = Draw(backend, 1003, d, a, b, 77, 1);
        K.AssertBitIdentical(shortFill, longFill.AsSpan(0, 1000), $"{d} 1000 vs 1003");
        // Lengths that split into different parallel partitions still agree on their prefix.
        var big = Draw(backend, 250_007, d, a, b, 77, 1);
        var mid = Draw(backend, 70_001, d, a, b, 77, 1);
        K.AssertBitIdentical(mid, big.AsSpan(0, mid.Length), $"{d} 70001 vs 250007");
        K.AssertBitIdentical(shortFill, big.AsSpan(0, 1000), $"{d} 1000 vs 250007");
        // And a single element is draw 0.
        Assert.Equal(BitConverter.SingleToInt32Bits(big[0]), BitConverter.SingleToInt32Bits(Draw(backend, 1, d, a, b, 77, 1)[0]));
    }
}
