namespace SparseCore.Pass.Pipeline;

/// <summary>The figure latencies are reported by: robust to a stray slow run from the OS or the garbage collector.</summary>
public static class Median
{
    /// <summary>The middle value, the mean of the two middle ones for an even count, NaN for none.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
