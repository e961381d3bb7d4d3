using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using SparseCore.Cli.Sweeps;

namespace SparseCore.Cli.Tests.Sweeps;

/// <summary>The paired t-interval against values computed by hand, and its coverage on synthetic replicates with a known difference.</summary>
public sealed class PairedIntervalTests
{
    [Fact]
    public void Three_differences_give_the_textbook_interval()
    {
        // mean 2, sd 1, t(0.975, 2) = 4.302652729911275: 2 ± 4.3027/√3.
        var i = PairedInterval.Of([1.0, 2.0, 3.0])!;
        Assert.Equal(3, i.N);
        Assert.Equal(2.0, i.Mean, 12);
        Assert.Equal(1.0, i.StandardDeviation, 12);
        Assert.Equal(2 - 4.302652729911275 / Math.Sqrt(3), i.Low, 9);
        Assert.Equal(2 + 4.302652729911275 / Math.Sqrt(3), i.High, 9);
        Assert.False(i.Resolved);

        // Five differences all near 0.5: t(0.975, 4) = 2.776445105197793.
        var j = PairedInterval.Of([0.4, 0.5, 0.6, 0.5, 0.5])!;
        Assert.Equal(0.5, j.Mean, 12);
        Assert.Equal(Math.Sqrt(0.02 / 4), j.StandardDeviation, 12);
        Assert.Equal(0.5 - 2.776445105197793 * Math.Sqrt(0.005) / Math.Sqrt(5), j.Low, 9);
        Assert.True(j.Resolved);

        Assert.Null(PairedInterval.Of([0.3]));

        // Two seeds with the same difference: no spread to estimate, so nothing is resolved.
        // As the report computes them: 100·(0.928 − 0.9278) and 100·(0.9276 − 0.9274) differ in the last bits.
        var tie = PairedInterval.Of([100 * (0.928 - 0.9278), 100 * (0.9276 - 0.9274)])!;
        Assert.True(tie.NoSpread);
        Assert.False(tie.Resolved);
    }

    [Fact]
    public void Covers_a_known_difference_95_percent_of_the_time()
    {
        const double difference = 0.4;
        var normal = new Normal(difference, 0.7, new MersenneTwister(20261205));
        int covered = 0;
        const int replicates = 1000;
        for (int r = 0; r < replicates; r++)
        {
            var i = PairedInterval.Of([normal.Sample(), normal.Sample(), normal.Sample()])!;
            if (i.Low <= difference && difference <= i.High) covered++;
        }
        Assert.InRange(covered / (double)replicates, 0.93, 0.97);
    }

    [Fact]
    public void A_wrong_quantile_would_miss_the_coverage()
    {
        // The normal quantile (1.96) in place of t(0.975, 2) is the classic mistake at n = 3; it must cover visibly less than 95 %.
        var normal = new Normal(0, 1, new MersenneTwister(7));
        int covered = 0;
        for (int r = 0; r < 1000; r++)
        {
            double[] d = [normal.Sample(), normal.Sample(), normal.Sample()];
            double half = 1.96 * PairedInterval.StandardDeviationOf(d) / Math.Sqrt(3);
            if (Math.Abs(d.Average()) <= half) covered++;
        }
        Assert.True(covered < 930, $"the z-interval covered {covered} of 1000");
    }
}
