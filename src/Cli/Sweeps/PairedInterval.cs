using MathNet.Numerics.Distributions;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// The paired comparison of two methods over seeds: the per-seed differences' mean, standard
/// deviation and a two-sided Student-t interval, mean ± t(1 − α/2, n − 1)·sd/√n. Paired because
/// both cells of a seed prune the same dense network, so the network's own luck cancels. With
/// three seeds a bootstrap has only ten distinct resamples; the t-interval assumes roughly normal
/// differences instead, which is the honest choice at this n. One difference gives no interval.
/// </summary>
public sealed record PairedInterval(int N, double Mean, double StandardDeviation, double Low, double High)
{
    public static PairedInterval? Of(IReadOnlyList<double> differences, double level = 0.95)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "a confidence level lies in (0, 1)");
        int n = differences.Count;
        if (n < 2) return null;
        double mean = differences.Average();
        double sd = StandardDeviationOf(differences);
        double half = StudentT.InvCDF(0, 1, n - 1, 1 - (1 - level) / 2) * sd / Math.Sqrt(n);
        return new PairedInterval(n, mean, sd, mean - half, mean + half);
    }

    /// <summary>The sample standard deviation (n − 1); 0 for fewer than two values.</summary>
    public static double StandardDeviationOf(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>
    /// Whether the interval excludes 0: the sign of the difference is resolved at this level. Equal
    /// differences on every seed (accuracies move in steps of one test image, so two seeds can tie)
    /// give a zero-width interval that says nothing about the spread, so they resolve nothing.
    /// </summary>
    public bool Resolved => !NoSpread && (Low > 0 || High < 0);

    /// <summary>Differences equal up to rounding (the same count of test images on every seed).</summary>
    public bool NoSpread => StandardDeviation < 1e-9;
}
